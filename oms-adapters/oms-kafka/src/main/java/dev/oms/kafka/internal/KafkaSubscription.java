package dev.oms.kafka.internal;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.KeyedLanes;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer group's subscription on Kafka: a poll thread that owns the {@link Consumer} and
 * hands each fetched record to {@link KeyedLanes} (drained on the bus's workers), which deliver it
 * to the runtime without waiting for its outcome, so records of other orders proceed while one
 * waits for its follow-on events' acknowledgements.
 *
 * <ul>
 *   <li><b>Commits.</b> Outcomes arrive on any thread and mark their record settled; the poll
 *       thread moves each partition's committable offset past the settled prefix and commits it
 *       every {@code commitInterval}, with the highest offset dispatched as commit metadata (so the
 *       partition's next owner knows which records are redeliveries).
 *   <li><b>Retry-later.</b> A record that comes back unsettled holds its order in its partition at
 *       once: the order's later records still queued are refused before they reach a handler, those
 *       behind it in the runtime come back too, and those fetched meanwhile wait; when its
 *       {@code retryAfter} passed and nothing of the order runs, the poll thread delivers them again,
 *       in offset order. The commit stays before it; other orders go on and are not delivered again.
 *   <li><b>Rebalancing.</b> Revoked partitions drop their queued records at once, let those in
 *       progress finish (up to {@code revokeTimeout}), commit, then cancel what is left and wait
 *       until none of it runs, before the new owner starts. Assigned partitions first let the
 *       runtime catch up with blocking state ({@link RecordHandler#onKeysAssigned()}).
 *   <li><b>Flow control.</b> Above {@code maxInFlight} records outstanding the partitions pause.
 * </ul>
 */
public final class KafkaSubscription implements BrokerSubscription {
  private static final Logger log = LoggerFactory.getLogger(KafkaSubscription.class);
  private static final long END_OFFSETS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final CompletableFuture<Outcome> REFUSED = CompletableFuture.completedFuture(
      Outcome.retryLater(Duration.ZERO, new CancellationException("its partition was rewound or given up")));

  private final String group;
  private final String topic;
  private final CloudEventsHeaders.TypeFilter typeFilter;
  private final Consumer<String, byte[]> consumer;
  private final RecordHandler handler;
  private final KeyedLanes<InFlightRecord> lanes;
  private final Object[] laneLocks;
  private final ThreadLocal<InFlightRecord> delivering = new ThreadLocal<>();
  private final int maxInFlight;
  private final Duration pollTimeout;
  private final long commitIntervalNanos;
  private final Duration revokeTimeout;
  private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>(); // poll thread only
  private final Object revokeSignal = new Object();
  private final Thread pollThread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Runnable onClosed;
  private volatile boolean userPaused;
  private volatile boolean closing;
  private volatile boolean aborted;
  private volatile long backlog;
  private volatile long drainDeadlineNanos;
  private boolean flowPaused; // poll thread only
  private boolean partitionsPaused; // poll thread only
  private long lastCommitNanos;
  private long lastEndOffsetsNanos;
  private long notFetchedLag;

  public KafkaSubscription(SubscriptionRequest request, RecordHandler handler, Executor workers,
      Consumer<String, byte[]> consumer, String topic, int maxInFlight, Duration pollTimeout, Duration commitInterval,
      Duration revokeTimeout, Runnable onClosed) {
    this.group = request.group();
    this.topic = topic;
    this.typeFilter = CloudEventsHeaders.typeFilter(request.types());
    this.consumer = consumer;
    this.handler = handler;
    this.maxInFlight = maxInFlight;
    this.pollTimeout = pollTimeout;
    this.commitIntervalNanos = commitInterval.toNanos();
    this.revokeTimeout = revokeTimeout;
    this.onClosed = onClosed;
    this.laneLocks = new Object[request.concurrency()];
    for (int i = 0; i < laneLocks.length; i++) {
      laneLocks[i] = new Object();
    }
    this.lanes = KeyedLanes.create("kafka group " + group, request.concurrency(), workers, new Gatekeeper(),
        new Source(), this::settled);
    this.pollThread = new Thread(this::pollLoop, "oms-kafka-" + group + "-poll");
    this.pollThread.setDaemon(true);
  }

  public void start() {
    pollThread.start();
  }

  // ---- the lanes' side: any thread ----

  /** Reads a record on the worker that is about to deliver it (header mapping stays off the poll thread). */
  private final class Source implements KeyedLanes.Source<InFlightRecord> {
    @Override
    public BrokerRecord record(InFlightRecord item) {
      delivering.set(item); // read by Gatekeeper.deliver, next on this thread
      ConsumerRecord<String, byte[]> r = item.record;
      return CloudEventsHeaders.toBrokerRecord(r.key(), r.headers(), r.value());
    }

    @Override
    public DeliveryInfo info(InFlightRecord item) {
      return DeliveryInfo.delivery(item.deliveryCount);
    }
  }

  /**
   * Hands a record to the runtime unless its order is held (a retry-later) or its partition was
   * given up since the poll. The check and the hand-over hold the lock of the record's lane, and so
   * does a retry-later holding the order (it runs before the runtime opens that order's gate to its
   * next record): a later record of the order is either refused here or already queued behind the
   * failed one in the runtime, which sends it back too; it never slips in between. Uncontended but
   * for the rare retry-later: lanes are drained one task at a time.
   */
  private final class Gatekeeper implements RecordHandler {
    @Override
    public CompletionStage<Outcome> deliver(BrokerRecord record, DeliveryInfo info) {
      InFlightRecord item = delivering.get();
      delivering.set(null);
      PartitionProgress partition = item.partition;
      synchronized (laneLock(item)) {
        if (!partition.current(item.epoch)
            || (!partition.held.isEmpty() && partition.held.containsKey(holdKey(item.key())))) {
          return REFUSED;
        }
        item.started = true;
        return handler.deliver(record, info);
      }
    }

    @Override
    public void onKeysAssigned() {
      handler.onKeysAssigned();
    }

    @Override
    public boolean awaitStopped(CompletionStage<Outcome> stage, Duration timeout) {
      return handler.awaitStopped(stage, timeout);
    }
  }

  private Object laneLock(InFlightRecord item) {
    return laneLocks[KeyedLanes.laneOf(item.record.key(), laneLocks.length)];
  }

  /** The order a record belongs to, for holding it (a record without a key holds the others without one). */
  static String holdKey(String key) {
    return key == null ? "" : key;
  }

  /**
   * An outcome came: mark the record. A retry-later holds its order in its partition (under the
   * lane lock, see {@link Gatekeeper}): its later records are refused or kept back until the poll
   * thread delivers the held records again, first the one that came back, in offset order.
   */
  private void settled(InFlightRecord item, Outcome outcome) {
    PartitionProgress partition = item.partition;
    if (outcome.isSettled()) {
      item.done = true;
    } else if (partition.current(item.epoch)) {
      long due = System.nanoTime() + outcome.retryAfter().toNanos();
      synchronized (laneLock(item)) {
        partition.held.putIfAbsent(holdKey(item.key()), due);
      }
    }
    item.finished = true;
    if (partition.revoking) {
      synchronized (revokeSignal) {
        revokeSignal.notifyAll();
      }
    }
  }

  // ---- the poll thread ----

  private void pollLoop() {
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (!closing) {
        ConsumerRecords<String, byte[]> records;
        try {
          records = consumer.poll(pollTimeout);
        } catch (WakeupException e) {
          continue; // close() or abort() woke us: the loop condition decides
        }
        if (closing) {
          break; // aborted mid-poll: hand nothing more over (a graceful close drains what it holds)
        }
        if (userPaused && !records.isEmpty()) {
          rewind(records); // paused while this poll was fetching: these wait in Kafka, not in our lanes
        } else if (!records.isEmpty()) {
          for (TopicPartition tp : records.partitions()) {
            PartitionProgress partition = progress.get(tp);
            if (partition == null) {
              continue; // given up
            }
            for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
              dispatch(partition, record);
            }
          }
        }
        releaseHeld();
        maybeCommit(false);
        applyFlowControl();
        updateBacklog();
      }
      if (!aborted) {
        drainAndCommit();
      }
    } catch (RuntimeException e) {
      if (!aborted) {
        log.error("group {}: Kafka consumer stopped: {}", group, e.toString(), e);
      }
    } finally {
      if (!aborted && lanes.outstanding() > 0) {
        lanes.abort(revokeTimeout); // the consumer died under them: nothing of theirs may go on
      }
      try {
        // An abort leaves the group as a crash would: nothing committed (the group notices sooner).
        consumer.close(Duration.ofSeconds(aborted ? 0 : 10));
      } catch (RuntimeException e) {
        log.debug("group {}: closing the consumer: {}", group, e.toString());
      }
      stopped.countDown();
      onClosed.run();
    }
  }

  private void dispatch(PartitionProgress partition, ConsumerRecord<String, byte[]> record) {
    if (!typeFilter.accepts(record.headers())) {
      partition.skip(record.offset());
      return;
    }
    InFlightRecord item = new InFlightRecord(partition, record.offset(), partition.epoch(),
        partition.deliveryCount(record.offset()), record);
    partition.dispatched(item);
    if (!partition.held.isEmpty() && partition.held.containsKey(holdKey(record.key()))) {
      item.finished = true; // waits behind its order's held record; delivered with it
      return;
    }
    lanes.submit(record.key(), item);
  }

  /** Puts each partition's position back to the first of {@code records}, so the next poll reads them again. */
  private void rewind(ConsumerRecords<String, byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      if (progress.containsKey(tp)) {
        consumer.seek(tp, records.records(tp).get(0).offset());
      }
    }
  }

  /**
   * Orders held by a retry-later whose time came and of which nothing runs any more: their records
   * not settled are delivered again in offset order, the one that came back first (a record that
   * reached the runtime before counts as a redelivery). Other orders' settled records are not
   * delivered again.
   */
  private void releaseHeld() {
    long now = System.nanoTime();
    for (PartitionProgress partition : progress.values()) {
      if (partition.held.isEmpty()) {
        continue;
      }
      for (Map.Entry<String, Long> hold : partition.held.entrySet()) {
        if (now - hold.getValue() < 0) {
          continue;
        }
        List<InFlightRecord> records = partition.heldRecords(hold.getKey());
        if (records == null) {
          continue; // one of the order's records is still in progress: it comes back first
        }
        Object lock = laneLocks[KeyedLanes.laneOf(records.isEmpty() ? null : records.get(0).key(), laneLocks.length)];
        synchronized (lock) {
          partition.held.remove(hold.getKey());
        }
        for (InFlightRecord item : records) {
          if (item.started) {
            item.deliveryCount = Math.max(2, item.deliveryCount + 1);
          }
          item.started = false;
          item.finished = false;
          lanes.submit(item.key(), item);
        }
        log.debug("group {}: delivering {} record(s) of order {} in {} again", group, records.size(), hold.getKey(),
            partition.partition);
      }
    }
  }

  private void maybeCommit(boolean now) {
    long nanos = System.nanoTime();
    if (!now && nanos - lastCommitNanos < commitIntervalNanos) {
      return;
    }
    lastCommitNanos = nanos;
    Map<TopicPartition, OffsetAndMetadata> offsets = committable(progress.keySet());
    if (!offsets.isEmpty()) {
      consumer.commitAsync(offsets, (committed, error) -> {
        if (error != null) {
          log.debug("group {}: async commit failed (the next one covers it): {}", group, error.toString());
        } else {
          committed.forEach((tp, offset) -> {
            PartitionProgress p = progress.get(tp);
            if (p != null) {
              p.committed(offset);
            }
          });
        }
      });
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      PartitionProgress p = progress.get(tp);
      OffsetAndMetadata offset = p == null ? null : p.toCommit();
      if (offset != null) {
        offsets.put(tp, offset);
      }
    }
    return offsets;
  }

  private void commitSync(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = committable(partitions);
    if (offsets.isEmpty() || aborted) {
      return;
    }
    try {
      try {
        consumer.commitSync(offsets, Duration.ofSeconds(10));
      } catch (WakeupException e) {
        consumer.commitSync(offsets, Duration.ofSeconds(10)); // a wakeup from close() landed here, not in poll
      }
      offsets.forEach((tp, offset) -> progress.get(tp).committed(offset));
    } catch (RuntimeException e) {
      log.warn("group {}: committing {} failed; those records will be delivered again: {}", group, offsets, e.toString());
    }
  }

  /** Pauses every assigned partition while the group is paused or has too much outstanding. */
  private void applyFlowControl() {
    int now = lanes.outstanding();
    if (!flowPaused && now >= maxInFlight) {
      flowPaused = true;
    } else if (flowPaused && now <= maxInFlight / 2) {
      flowPaused = false;
    }
    boolean shouldPause = flowPaused || userPaused;
    if (shouldPause != partitionsPaused) {
      if (shouldPause) {
        consumer.pause(consumer.assignment());
      } else {
        consumer.resume(consumer.paused());
      }
      partitionsPaused = shouldPause;
    }
  }

  /**
   * Lag plus records outstanding. The lag comes from the last fetch; a partition that is not being
   * fetched (paused, or not fetched yet) is measured against its end offset, at most twice a second.
   */
  private void updateBacklog() {
    long lag = 0;
    List<TopicPartition> notFetched = null;
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong partitionLag = partitionsPaused ? OptionalLong.empty() : consumer.currentLag(tp);
      if (partitionLag.isPresent()) {
        lag += partitionLag.getAsLong();
      } else {
        (notFetched == null ? notFetched = new ArrayList<>() : notFetched).add(tp);
      }
    }
    if (notFetched != null) {
      long now = System.nanoTime();
      if (now - lastEndOffsetsNanos > END_OFFSETS_INTERVAL_NANOS) {
        lastEndOffsetsNanos = now;
        notFetchedLag = lagFromEndOffsets(notFetched);
      }
      lag += notFetchedLag;
    }
    backlog = lag + lanes.outstanding();
  }

  private long lagFromEndOffsets(List<TopicPartition> partitions) {
    try {
      long lag = 0;
      for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(partitions, Duration.ofSeconds(1)).entrySet()) {
        lag += Math.max(0, end.getValue() - consumer.position(end.getKey(), Duration.ofSeconds(1)));
      }
      return lag;
    } catch (RuntimeException e) {
      return notFetchedLag; // keep the last figure; the next poll tries again
    }
  }

  /** Graceful close: what the lanes hold finishes (until the drain deadline), then everything settled is committed. */
  private void drainAndCommit() {
    lanes.stop();
    Duration left = Duration.ofNanos(Math.max(0, drainDeadlineNanos - System.nanoTime()));
    if (!lanes.awaitSettled(left)) {
      log.warn("group {}: closed with {} records unfinished; they stay in Kafka for the next consumer", group,
          lanes.outstanding());
      lanes.abort(revokeTimeout);
    }
    commitSync(progress.keySet());
  }

  /** Cooperative rebalancing: only partitions that move are revoked, committed first. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty() || aborted) {
        return;
      }
      List<PartitionProgress> revoked = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        PartitionProgress p = progress.get(tp);
        if (p != null) {
          p.revoking = true;
          revoked.add(p);
        }
      }
      if (revoked.isEmpty()) {
        return;
      }
      long deadline = System.nanoTime() + revokeTimeout.toNanos();
      // Records not yet handed to the runtime go at once: the new owner delivers them.
      lanes.cancel(item -> item.partition.revoking && !item.started, revokeTimeout);
      // Those in progress finish, so they can be committed.
      synchronized (revokeSignal) {
        while (!aborted && anyUnfinished(revoked)) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(revokeSignal, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      commitSync(partitions);
      // Whatever is left is cancelled, and nothing of it runs once this returns.
      Duration left = Duration.ofNanos(Math.max(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime()));
      int givenUp = lanes.cancel(item -> item.partition.revoking, left);
      if (givenUp > 0) {
        log.warn("group {}: gave up partitions {} with {} records unfinished after {}; the new owner gets them again",
            group, partitions, givenUp, revokeTimeout);
      }
      for (PartitionProgress p : revoked) {
        p.giveUp();
        progress.remove(p.partition);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      log.warn("group {}: lost partitions {} without a chance to commit; their unfinished records come back", group,
          partitions);
      List<PartitionProgress> lost = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        PartitionProgress p = progress.remove(tp);
        if (p != null) {
          p.revoking = true;
          p.giveUp();
          lost.add(p);
        }
      }
      if (!lost.isEmpty() && !aborted) {
        lanes.cancel(item -> item.partition.revoking, revokeTimeout);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty() || aborted) {
        return;
      }
      try {
        handler.onKeysAssigned(); // blocking state other processes wrote, before their orders' records come
      } catch (RuntimeException e) {
        log.warn("group {}: catching up with the dead-letter store on assignment failed: {}", group, e.toString());
      }
      Map<TopicPartition, OffsetAndMetadata> committed;
      try {
        committed = consumer.committed(new HashSet<>(partitions), Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        log.warn("group {}: reading the committed offsets of {} failed; redeliveries among them count as first "
            + "deliveries: {}", group, partitions, e.toString());
        committed = Map.of();
      }
      for (TopicPartition tp : partitions) {
        progress.put(tp, new PartitionProgress(tp, committed.get(tp)));
      }
      if (partitionsPaused) {
        consumer.pause(partitions);
      }
    }

    private boolean anyUnfinished(List<PartitionProgress> partitions) {
      for (PartitionProgress p : partitions) {
        if (p.unfinished()) {
          return true;
        }
      }
      return false;
    }
  }

  // ---- BrokerSubscription ----

  @Override
  public void pause() {
    userPaused = true;
  }

  @Override
  public void resume() {
    userPaused = false;
  }

  @Override
  public boolean isPaused() {
    return userPaused;
  }

  @Override
  public long backlog() {
    return backlog;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /** Stops polling, lets what is in flight finish for up to {@code drainTimeout}, commits; true if nothing was left unfinished. */
  public boolean close(Duration drainTimeout) {
    if (!closing) {
      drainDeadlineNanos = System.nanoTime() + drainTimeout.toNanos();
      closing = true;
      consumer.wakeup();
    }
    awaitStopped(drainTimeout.plus(revokeTimeout).plusSeconds(15));
    return lanes.outstanding() == 0;
  }

  /**
   * Stops at once as a crashed process would, and returns only when nothing of this group runs any
   * more: nothing more is handed to the runtime, every delivery in progress is cancelled and waited
   * for, and nothing more is committed.
   */
  public void abort() {
    aborted = true;
    closing = true;
    lanes.abort(revokeTimeout);
    consumer.wakeup();
    awaitStopped(revokeTimeout.plusSeconds(15));
    lanes.abort(revokeTimeout); // anything the poll thread handed over while stopping
  }

  private void awaitStopped(Duration timeout) {
    try {
      if (Thread.currentThread() != pollThread && !stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("group {}: the poll thread did not stop within {}", group, timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
