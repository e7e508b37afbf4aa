package dev.oms.kafka.internal;

import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * One consumer group's subscription on Kafka: a poll thread that owns the {@link Consumer}, and
 * {@code concurrency} lanes that handle records, each key always on the same lane so its records
 * stay in order. Offsets are committed only up to the first record not yet handled (retries and
 * dead-lettering included), so nothing acknowledged is ever skipped; partitions given up in a
 * rebalance are committed first, once their records in flight finished.
 */
public final class KafkaSubscription implements BrokerSubscription {
  private static final Logger log = LoggerFactory.getLogger(KafkaSubscription.class);

  private final String group;
  private final String topic;
  private final Set<String> types;
  private final Consumer<String, byte[]> consumer;
  private final Lane[] lanes;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final int maxInFlight;
  private final Duration pollTimeout;
  private final long commitIntervalNanos;
  private final long revokeTimeoutMillis;
  private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
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
  private static final long END_OFFSETS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private long lastEndOffsetsNanos;
  private long notFetchedLag;

  public KafkaSubscription(SubscriptionRequest request, RecordHandler handler, Consumer<String, byte[]> consumer,
      String topic, int maxInFlight, Duration pollTimeout, Duration commitInterval, Duration revokeTimeout,
      Runnable onClosed) {
    this.group = request.group();
    this.topic = topic;
    this.types = request.types();
    this.consumer = consumer;
    this.maxInFlight = maxInFlight;
    this.pollTimeout = pollTimeout;
    this.commitIntervalNanos = commitInterval.toNanos();
    this.revokeTimeoutMillis = revokeTimeout.toMillis();
    this.onClosed = onClosed;
    this.lanes = new Lane[request.concurrency()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane(group, i, handler, inFlight);
    }
    this.pollThread = new Thread(this::pollLoop, "oms-kafka-" + group + "-poll");
    this.pollThread.setDaemon(true);
  }

  public void start() {
    for (Lane lane : lanes) {
      lane.start();
    }
    pollThread.start();
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
        if (userPaused && !records.isEmpty()) {
          rewind(records); // paused while this poll was fetching: these wait in Kafka, not in our lanes
        } else {
          for (ConsumerRecord<String, byte[]> record : records) {
            dispatch(record);
          }
        }
        advanceAndMaybeCommit(false);
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

  private void dispatch(ConsumerRecord<String, byte[]> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    PartitionProgress partition = progress.computeIfAbsent(tp, p -> new PartitionProgress());
    String type = CloudEventsHeaders.type(record.headers());
    if (type != null && !types.contains(type)) {
      partition.skip(record.offset());
      return;
    }
    InFlightRecord inFlightRecord = new InFlightRecord(record.partition(), record.offset(), record);
    partition.add(inFlightRecord);
    inFlight.incrementAndGet();
    lanes[laneOf(record)].submit(inFlightRecord);
  }

  /** Puts each partition's position back to the first of {@code records}, so the next poll reads them again. */
  private void rewind(ConsumerRecords<String, byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      consumer.seek(tp, records.records(tp).get(0).offset());
    }
  }

  private int laneOf(ConsumerRecord<String, byte[]> record) {
    int hash = record.key() != null ? record.key().hashCode() : record.partition();
    return Math.floorMod(hash ^ (hash >>> 16), lanes.length);
  }

  private void advanceAndMaybeCommit(boolean now) {
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
              p.committed(offset.offset());
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
      if (p == null) {
        continue;
      }
      p.advance();
      long offset = p.toCommit();
      if (offset >= 0) {
        offsets.put(tp, new OffsetAndMetadata(offset));
      }
    }
    return offsets;
  }

  private void commitSync(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = committable(partitions);
    if (offsets.isEmpty()) {
      return;
    }
    try {
      try {
        consumer.commitSync(offsets, Duration.ofSeconds(10));
      } catch (WakeupException e) {
        consumer.commitSync(offsets, Duration.ofSeconds(10)); // a wakeup from close() landed here, not in poll
      }
      offsets.forEach((tp, offset) -> progress.get(tp).committed(offset.offset()));
    } catch (RuntimeException e) {
      log.warn("group {}: committing {} failed; those records will be delivered again: {}", group, offsets, e.toString());
    }
  }

  /** Pauses every assigned partition while the group is paused or has too much in flight. */
  private void applyFlowControl() {
    int now = inFlight.get();
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
   * Lag plus records in flight. The lag comes from the last fetch; a partition that is not being
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
        (notFetched == null ? notFetched = new java.util.ArrayList<>() : notFetched).add(tp);
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
    backlog = lag + inFlight.get();
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

  /** Graceful close: lanes finish what they hold, then everything finished is committed. */
  private void drainAndCommit() {
    for (Lane lane : lanes) {
      lane.stop();
    }
    try {
      for (Lane lane : lanes) {
        lane.join(TimeUnit.NANOSECONDS.toMillis(drainDeadlineNanos - System.nanoTime()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (inFlight.get() > 0) {
      log.warn("group {}: closed with {} records unfinished; they stay in Kafka for the next consumer", group,
          inFlight.get());
      for (Lane lane : lanes) {
        lane.abort();
      }
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
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(revokeTimeoutMillis);
      while (hasPending(partitions) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(5); // lanes are finishing these partitions' records; nothing to block on per partition
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      commitSync(partitions);
      if (hasPending(partitions)) {
        log.warn("group {}: gave up partitions {} with records unfinished after {} ms; the new owner gets them again",
            group, partitions, revokeTimeoutMillis);
      }
      partitions.forEach(progress::remove);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      log.warn("group {}: lost partitions {} without a chance to commit; their unfinished records come back", group,
          partitions);
      partitions.forEach(progress::remove);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitionsPaused && !partitions.isEmpty()) {
        consumer.pause(partitions);
      }
    }

    private boolean hasPending(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        PartitionProgress p = progress.get(tp);
        if (p != null) {
          p.advance();
          if (p.hasPending()) {
            return true;
          }
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

  /** Stops polling, lets lanes finish for up to {@code drainTimeout}, commits; true if nothing was left unfinished. */
  public boolean close(Duration drainTimeout) {
    if (!closing) {
      drainDeadlineNanos = System.nanoTime() + drainTimeout.toNanos();
      closing = true;
      consumer.wakeup();
    }
    awaitStopped(drainTimeout.plusSeconds(15));
    return inFlight.get() == 0;
  }

  /** Stops at once as a crashed process would: nothing more handled, nothing committed. */
  public void abort() {
    aborted = true;
    closing = true;
    for (Lane lane : lanes) {
      lane.abort();
    }
    consumer.wakeup();
    awaitStopped(Duration.ofSeconds(15));
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
