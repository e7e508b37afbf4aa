package dev.oms.tck;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.KeyedLanes;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.KeyOrder;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.codec.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A test double of a remote, durable, replaying broker, so the kit's optional tier and its
 * remote-only rules run in this module's own build: a partitioned log per namespace (the "server",
 * which outlives instances), records in CloudEvents binary mode, consumer groups whose members
 * (one per subscription, across instances) split the partitions, each held by one member at a time
 * (a lease handed over once the previous holder gave up what it had in flight). Like a Kafka
 * adapter should, a member delivers through {@link KeyedLanes} without waiting for outcomes and
 * commits a partition up to its first record not settled. {@link #crash()} stops an instance
 * without committing anything in flight, once none of its deliveries still runs.
 */
final class LogBroker implements EventBroker {
  static final int PARTITIONS = 8;
  static final int MAX_RECORD_BYTES = 64 * 1024;
  private static final Map<String, Backend> BACKENDS = new ConcurrentHashMap<>();
  private static final AtomicLong MEMBER_IDS = new AtomicLong();

  private final Backend backend;
  private final List<Sub> subs = new CopyOnWriteArrayList<>();
  private volatile BrokerContext context;
  private volatile boolean closing;
  private volatile boolean crashed;
  private volatile Defect defect;

  /** Deliberate defects, for the kit's self-test. */
  enum Defect {
    /**
     * A revoked partition is handed over at once while the old holder goes on delivering what it
     * had fetched of it (the defect of a revocation that timed out and left its lanes running).
     */
    HAND_OVER_WITHOUT_STOPPING,
    /** A crash stops taking records but does not wait for the deliveries in progress. */
    CRASH_WITHOUT_STOPPING
  }

  void defect(Defect defect) {
    this.defect = defect;
  }

  LogBroker(String namespace) {
    this.backend = BACKENDS.computeIfAbsent(namespace, ns -> new Backend());
  }

  static int restarts(String namespace) {
    return BACKENDS.get(namespace).restarts;
  }

  /** "Restarts the server": what was appended stays, since this log is durable. */
  static void restart(String namespace) {
    BACKENDS.get(namespace).restarts++;
  }

  @Override
  public String name() {
    return "test-log";
  }

  @Override
  public BrokerCapabilities capabilities() {
    return BrokerCapabilities.builder().durable(true).replay(true).maxRecordBytes(MAX_RECORD_BYTES)
        .keyOrder(KeyOrder.NATIVE, true).build();
  }

  @Override
  public void start(BrokerContext context) {
    this.context = context;
  }

  @Override
  public CompletionStage<Void> send(BrokerRecord record) {
    if (closing || crashed) {
      return CompletableFuture.failedFuture(new OmsException(Kind.CLOSED, "test-log broker is closed"));
    }
    EventCodec.BinaryEvent event;
    try {
      event = context.encodeBinary(record);
    } catch (OmsException e) {
      return CompletableFuture.failedFuture(e);
    }
    int size = event.data().length + event.attributes().values().stream().mapToInt(String::length).sum();
    if (size > MAX_RECORD_BYTES) {
      return CompletableFuture.failedFuture(new OmsException(Kind.OVERSIZED_EVENT,
          "record of " + size + " bytes is over test-log's limit of " + MAX_RECORD_BYTES + " bytes"));
    }
    String key = record.key() != null ? record.key() : event.attributes().get("subject");
    backend.append(Math.floorMod(key.hashCode(), PARTITIONS), new Stored(key, event));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
    if (closing || crashed) {
      throw new OmsException(Kind.CLOSED, "test-log broker is closed");
    }
    Sub sub = new Sub(request, handler);
    subs.add(sub);
    sub.start();
    return sub;
  }

  @Override
  public boolean close(Duration drainTimeout) {
    closing = true;
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    boolean drained = true;
    for (Sub sub : subs) {
      while (!sub.paused && !sub.caughtUp() && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(1_000_000);
      }
      drained &= sub.paused || sub.caughtUp();
      sub.close();
    }
    return drained;
  }

  /** Stops every subscription at once: what is in flight is given up, and nothing more is committed. */
  void crash() {
    crashed = true;
    for (Sub sub : subs) {
      sub.stop(false);
    }
  }

  private record Stored(String key, EventCodec.BinaryEvent event) {}

  /** The "server" of one namespace: partitions, committed offsets, members and partition leases per group. */
  private static final class Backend {
    final List<List<Stored>> partitions = new ArrayList<>();
    final Map<String, long[]> committed = new HashMap<>();
    final Map<String, List<Sub>> members = new HashMap<>();
    final Map<String, Sub[]> leases = new HashMap<>();
    volatile int restarts;

    Backend() {
      for (int p = 0; p < PARTITIONS; p++) {
        partitions.add(new ArrayList<>());
      }
    }

    synchronized void append(int partition, Stored stored) {
      partitions.get(partition).add(stored);
    }

    synchronized Stored read(int partition, long offset) {
      List<Stored> log = partitions.get(partition);
      return offset < log.size() ? log.get((int) offset) : null;
    }

    synchronized long size(int partition) {
      return partitions.get(partition).size();
    }

    synchronized long committed(String group, int partition) {
      return committed.computeIfAbsent(group, g -> new long[PARTITIONS])[partition];
    }

    synchronized void commit(String group, int partition, long next) {
      long[] offsets = committed.computeIfAbsent(group, g -> new long[PARTITIONS]);
      offsets[partition] = Math.max(offsets[partition], next);
    }

    synchronized long lag(String group) {
      long lag = 0;
      for (int p = 0; p < PARTITIONS; p++) {
        lag += partitions.get(p).size() - committed(group, p);
      }
      return lag;
    }

    synchronized void join(Sub member) {
      members.computeIfAbsent(member.group, g -> new ArrayList<>()).add(member);
    }

    synchronized void leave(Sub member) {
      members.getOrDefault(member.group, new ArrayList<>()).remove(member);
    }

    /** Partition p is meant for the member at index p modulo the group's size (members in join order). */
    synchronized boolean owns(Sub member, int partition) {
      List<Sub> group = members.getOrDefault(member.group, List.of());
      return !group.isEmpty() && group.get(partition % group.size()) == member;
    }

    /** Takes the partition's lease once its previous holder gave it up: one member at a time handles a partition. */
    synchronized boolean lease(Sub member, int partition) {
      Sub[] holders = leases.computeIfAbsent(member.group, g -> new Sub[PARTITIONS]);
      if (holders[partition] == null || holders[partition] == member) {
        holders[partition] = member;
        return true;
      }
      return false;
    }

    synchronized void release(Sub member, int partition) {
      Sub[] holders = leases.get(member.group);
      if (holders != null && holders[partition] == member) {
        holders[partition] = null;
      }
    }
  }

  /** One record on its way through a subscription. */
  private record Item(int partition, long offset, int generation, Stored stored, DeliveryInfo info) {
    Item again() {
      return new Item(partition, offset, generation, stored, DeliveryInfo.delivery(info.deliveryCount() + 1));
    }
  }

  /**
   * One subscription, a member of its group: a poll thread reads the partitions it holds and feeds
   * {@link KeyedLanes} on the bus's workers, which deliver without waiting for outcomes; a
   * partition is committed up to its first record not settled. A key's records are submitted one
   * at a time, so a record to retry later goes again before the key's later ones.
   */
  private final class Sub implements BrokerSubscription {
    final String group;
    final Set<String> types;
    final KeyedLanes<Item> lanes;
    final Thread poller;
    final long[] position = new long[PARTITIONS];
    final boolean[] leased = new boolean[PARTITIONS];
    final int[] generation = new int[PARTITIONS];
    final boolean[] revoking = new boolean[PARTITIONS]; // guarded by this: nothing more of it is submitted
    final List<java.util.TreeSet<Long>> inFlight = new ArrayList<>();
    final Map<String, java.util.ArrayDeque<Item>> keys = new HashMap<>(); // guarded by this: head submitted, rest waiting
    volatile boolean paused;
    volatile boolean stopped;

    Sub(SubscriptionRequest request, RecordHandler handler) {
      this.group = request.group();
      this.types = request.types();
      for (int p = 0; p < PARTITIONS; p++) {
        inFlight.add(new java.util.TreeSet<>());
      }
      this.lanes = KeyedLanes.create("test-log " + group, request.concurrency(), context.workers(), handler,
          KeyedLanes.Source.of(item -> BrokerRecord.ofBinary(item.stored().key(), item.stored().event().attributes(),
              item.stored().event().data()), Item::info), this::settled);
      this.poller = new Thread(this::poll, "test-log-" + group + "-" + MEMBER_IDS.incrementAndGet());
      poller.setDaemon(true);
    }

    void start() {
      backend.join(this);
      poller.start();
    }

    private void poll() {
      while (!stopped) {
        boolean progressed = false;
        for (int p = 0; p < PARTITIONS && !stopped; p++) {
          if (!backend.owns(this, p)) {
            if (leased[p]) {
              revoke(p);
            }
            continue;
          }
          if (!leased[p] && !(leased[p] = backend.lease(this, p))) {
            continue;
          }
          if (!leasedBefore[p]) {
            leasedBefore[p] = true;
            synchronized (this) {
              position[p] = backend.committed(group, p);
            }
          }
          for (int n = 0; n < 32 && !paused && lanes.outstanding() < 256; n++) {
            Stored stored = backend.read(p, position[p]);
            if (stored == null) {
              break;
            }
            progressed = true;
            accept(p, stored);
          }
          backend.commit(group, p, commitPoint(p));
        }
        if (!progressed) {
          LockSupport.parkNanos(1_000_000);
        }
      }
    }

    final boolean[] leasedBefore = new boolean[PARTITIONS];

    private synchronized void accept(int p, Stored stored) {
      long offset = position[p]++;
      if (!types.contains(stored.event().attributes().get("type"))) {
        return; // not this group's: passed over, and committed with the rest
      }
      inFlight.get(p).add(offset);
      Item item = new Item(p, offset, generation[p], stored, DeliveryInfo.FIRST);
      java.util.ArrayDeque<Item> ofKey = keys.get(stored.key());
      if (ofKey != null) {
        ofKey.add(item); // behind the key's record in progress
        return;
      }
      ofKey = new java.util.ArrayDeque<>();
      ofKey.add(item);
      keys.put(stored.key(), ofKey);
      lanes.submit(stored.key(), item);
    }

    private synchronized long commitPoint(int p) {
      java.util.TreeSet<Long> pending = inFlight.get(p);
      return pending.isEmpty() ? position[p] : pending.first();
    }

    /** The outcome of a record: commit past it and submit its key's next one, or submit it again later. */
    private void settled(Item item, Outcome outcome) {
      String key = item.stored().key();
      synchronized (this) {
        boolean givenUp = item.generation() != generation[item.partition()];
        if (stopped || (givenUp && defect != Defect.HAND_OVER_WITHOUT_STOPPING)) {
          return; // given up (revoked, crashed, closed): it stays for the next holder of the partition
        }
        if (outcome.isSettled()) {
          inFlight.get(item.partition()).remove(item.offset());
          if (revoking[item.partition()]) {
            return; // committed with the partition; its key's next record is the next holder's
          }
          java.util.ArrayDeque<Item> ofKey = keys.get(key);
          ofKey.poll();
          if (ofKey.isEmpty()) {
            keys.remove(key);
          } else {
            lanes.submit(key, ofKey.peek());
          }
          return;
        }
      }
      long delay = Math.max(10, outcome.retryAfter().toMillis());
      CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> {
        synchronized (this) {
          if (!stopped && item.generation() == generation[item.partition()] && !revoking[item.partition()]) {
            java.util.ArrayDeque<Item> ofKey = keys.get(key);
            ofKey.poll();
            ofKey.addFirst(item.again());
            lanes.submit(key, ofKey.peek());
          }
        }
      });
    }

    /** The partition is meant for another member now: give up what is in flight, commit what settled, hand it over. */
    private void revoke(int p) {
      boolean keepDelivering = defect == Defect.HAND_OVER_WITHOUT_STOPPING;
      if (!keepDelivering) {
        synchronized (this) {
          revoking[p] = true; // first, so an outcome that comes during the cancel submits nothing more
        }
        lanes.cancel(item -> item.partition() == p, Duration.ofSeconds(5));
      }
      synchronized (this) {
        revoking[p] = false;
        backend.commit(group, p, commitPoint(p));
        generation[p]++;
        inFlight.get(p).clear();
        if (!keepDelivering) {
          keys.values().removeIf(ofKey -> !ofKey.isEmpty() && ofKey.peek().partition() == p);
        }
        leased[p] = false;
        leasedBefore[p] = false;
      }
      backend.release(this, p);
    }

    boolean caughtUp() {
      for (int p = 0; p < PARTITIONS; p++) {
        if (leased[p] && backend.committed(group, p) < backend.size(p)) {
          return false;
        }
      }
      return true;
    }

    /** Stops: gracefully (what settled is committed) or as a crash (what is in flight is given up, uncommitted). */
    void stop(boolean graceful) {
      stopped = true;
      try {
        poller.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!graceful && defect == Defect.CRASH_WITHOUT_STOPPING) {
        lanes.stop();
      } else {
        lanes.abort(Duration.ofSeconds(5)); // returns once no delivery of this instance still runs
      }
      for (int p = 0; p < PARTITIONS; p++) {
        if (leased[p]) {
          if (graceful) {
            backend.commit(group, p, commitPoint(p));
          }
          backend.release(this, p);
        }
      }
      backend.leave(this);
      subs.remove(this);
    }

    @Override
    public void pause() {
      paused = true;
      lanes.pause();
    }

    @Override
    public void resume() {
      paused = false;
      lanes.resume();
    }

    @Override
    public boolean isPaused() {
      return paused;
    }

    @Override
    public long backlog() {
      return backend.lag(group);
    }

    @Override
    public void close() {
      stop(true);
    }
  }
}
