package dev.oms.memory;

import dev.oms.OmsException;
import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.KeyOrder;
import dev.oms.broker.spi.KeyedLanes;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.internal.Stages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker: the default when no other is configured, and a product in its own right.
 *
 * <ul>
 *   <li>Events travel by reference; nothing is encoded.
 *   <li>Each consumer group has {@code concurrency} lanes; an order's events always take the same
 *       lane (hash of the order id), which keeps them in order while different orders run in
 *       parallel. A lane is a bounded lock-free queue.
 *   <li>Lanes do not own threads: a lane with work is scheduled on one shared fork-join pool with
 *       one thread per core and handles up to {@code drainBatch} events before yielding. Busy
 *       threads never outnumber cores, which on small machines matters more than anything else.
 *   <li>Every group gets its own copy of each event (fan-out) and its own bound; when a group is
 *       full, the {@link BackpressurePolicy} decides between waiting and failing fast.
 *   <li>A lane hands each record to the delivery runtime and moves on without waiting for its
 *       outcome: a record waiting for a retry or a blocking handler holds only its own order. At
 *       most a lane's capacity of such records is outstanding per lane; then the lane waits for
 *       outcomes before taking more, so memory stays bounded.
 * </ul>
 */
public final class InMemoryBroker implements EventBroker {
  private static final Logger log = LoggerFactory.getLogger(InMemoryBroker.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final int RUNNING = 0;
  private static final int DRAINING = 1;
  private static final int CLOSED = 2;

  private static final BrokerCapabilities CAPABILITIES = BrokerCapabilities.builder()
      .carriesObjects(true)
      .keyOrder(KeyOrder.NATIVE, true) // one lane per order, fed in send order whatever the type
      .build();

  private final InMemoryBrokerConfig config;
  private final ForkJoinPool pool;
  private final List<Group> groups = new ArrayList<>();
  private volatile Map<String, Group[]> routes = Map.of();
  private volatile int state = RUNNING;

  private InMemoryBroker(InMemoryBrokerConfig config) {
    this.config = config;
    int instance = INSTANCES.incrementAndGet();
    AtomicInteger threadIds = new AtomicInteger();
    this.pool = new ForkJoinPool(config.threads(), p -> {
      ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
      t.setName("oms-memory-" + instance + "-" + threadIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, (t, e) -> log.error("uncaught failure on {}", t.getName(), e), true);
  }

  public static InMemoryBroker ofDefaults() {
    return create(InMemoryBrokerConfig.ofDefaults());
  }

  public static InMemoryBroker create(InMemoryBrokerConfig config) {
    return new InMemoryBroker(config);
  }

  public InMemoryBrokerConfig config() {
    return config;
  }

  @Override
  public String name() {
    return "in-memory";
  }

  @Override
  public BrokerCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public void start(BrokerContext context) {
    // Nothing to connect to; the codec is never needed because events stay objects.
  }

  @Override
  public CompletionStage<Void> send(BrokerRecord record) {
    if (state == CLOSED) {
      return Stages.failed(new OmsException(OmsException.Kind.CLOSED, "the in-memory broker is closed"));
    }
    if (record.type() == null) {
      return Stages.failed(new OmsException(OmsException.Kind.INVALID_EVENT,
          "the in-memory broker routes by event type, and this record has none: " + record));
    }
    Group[] targets = routes.get(record.type());
    if (targets == null) {
      return Stages.DONE; // no group subscribes to this type: like a topic nobody reads
    }
    long deadline = 0;
    while (true) {
      Lane full = fanOut(targets, record);
      if (full == null) {
        return Stages.DONE;
      }
      if (config.backpressure() == BackpressurePolicy.FAIL_FAST) {
        return Stages.failed(full.group.full());
      }
      if (deadline == 0) {
        deadline = System.nanoTime() + config.blockTimeout().toNanos();
      }
      CompletionStage<Void> waited = awaitRoom(full, deadline);
      if (waited != null) {
        return waited;
      }
    }
  }

  /** Per-thread scratch space of a fan-out, so sending allocates nothing. */
  private static final class FanOut {
    Lane[] lanes = new Lane[8];
    long[] slots = new long[8];

    void ensure(int targets) {
      if (lanes.length < targets) {
        lanes = new Lane[targets];
        slots = new long[targets];
      }
    }
  }

  private static final ThreadLocal<FanOut> FAN_OUT = ThreadLocal.withInitial(FanOut::new);

  /**
   * Offers a record to every target group, all or nothing: it first claims a slot in each
   * group's lane, and only when every claim succeeded fills them. A full group releases the
   * claims already made (their slots carry a skip marker), so no group acts on a record whose
   * send failed. Claiming before filling also keeps causes ahead of their effects: no group can
   * handle the record, and publish a consequence to another target group, before that group's
   * slot for the record exists. Returns null when sent, or the lane that was full.
   */
  private Lane fanOut(Group[] targets, BrokerRecord record) {
    FanOut scratch = FAN_OUT.get();
    scratch.ensure(targets.length);
    Lane[] lanes = scratch.lanes;
    long[] slots = scratch.slots;
    int claimed = 0;
    Lane full = null;
    for (; claimed < targets.length; claimed++) {
      Group group = targets[claimed];
      // A group unsubscribed while the routes were being read gets nothing.
      Lane lane = group.closed ? null : group.laneFor(record);
      lanes[claimed] = lane;
      if (lane != null) {
        long slot = lane.queue.claim();
        if (slot < 0) {
          full = lane;
          break;
        }
        slots[claimed] = slot;
      }
    }
    BrokerRecord content = full == null ? record : SKIP;
    for (int i = 0; i < claimed; i++) {
      Lane lane = lanes[i];
      if (lane != null) {
        lane.queue.fill(slots[i], content);
        lane.schedule();
      }
      lanes[i] = null; // hold no lane past the send
    }
    return full;
  }

  /** Marks a slot released by a fan-out that could not complete; lanes pass over it. */
  private static final BrokerRecord SKIP = BrokerRecord.ofBytes("$skip", null, null, new byte[0]);

  /** Waits for room in a full lane; null to try again, or the failure once the wait is over. */
  private CompletionStage<Void> awaitRoom(Lane lane, long deadline) {
    try {
      ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
        @Override
        public boolean isReleasable() {
          return lane.queue.hasRoom() || state == CLOSED || System.nanoTime() - deadline >= 0;
        }

        @Override
        public boolean block() {
          long pause = 10_000;
          while (!isReleasable()) {
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 1_000_000); // back off: a long outage costs no CPU
          }
          return true;
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Stages.failed(new OmsException(OmsException.Kind.BACKPRESSURE,
          "interrupted while waiting for room in group " + lane.group.name, e));
    }
    if (state == CLOSED) {
      return Stages.failed(new OmsException(OmsException.Kind.CLOSED, "the in-memory broker is closed"));
    }
    if (System.nanoTime() - deadline >= 0 && !lane.queue.hasRoom()) {
      return Stages.failed(new OmsException(OmsException.Kind.BACKPRESSURE, lane.group.full().getMessage()
          + "; waited " + config.blockTimeout()));
    }
    return null;
  }

  @Override
  public synchronized BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
    if (state != RUNNING) {
      throw new OmsException(OmsException.Kind.CLOSED, "the in-memory broker is closed");
    }
    for (Group existing : groups) {
      if (existing.name.equals(request.group())) {
        throw new OmsException(OmsException.Kind.CONFIGURATION, "group " + request.group() + " is already subscribed");
      }
    }
    Group group = new Group(request, handler);
    groups.add(group);
    rebuildRoutes();
    return group;
  }

  private synchronized void unsubscribe(Group group) {
    if (groups.remove(group)) {
      rebuildRoutes();
    }
  }

  private void rebuildRoutes() {
    Map<String, List<Group>> byType = new HashMap<>();
    for (Group group : groups) {
      for (String type : group.types) {
        byType.computeIfAbsent(type, t -> new ArrayList<>()).add(group);
      }
    }
    Map<String, Group[]> next = new HashMap<>();
    byType.forEach((type, list) -> next.put(type, list.toArray(new Group[0])));
    routes = Map.copyOf(next);
  }

  @Override
  public boolean close(Duration drainTimeout) {
    synchronized (this) {
      if (state != RUNNING) {
        return true;
      }
      state = DRAINING;
    }
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    boolean drained = awaitQuiescence(deadline);
    state = CLOSED;
    long undelivered = 0;
    synchronized (this) {
      for (Group group : groups) {
        group.closed = true;
        undelivered += group.backlog();
      }
    }
    if (undelivered > 0) {
      log.warn("in-memory broker closed with {} undelivered events (paused groups or drain timeout)", undelivered);
    }
    pool.shutdown();
    try {
      pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return drained && undelivered == 0;
  }

  /** True when no lane is running or scheduled on the broker's threads (for tests). */
  boolean isQuiescent() {
    return pool.isQuiescent();
  }

  /** Waits until every running group is empty and idle twice with no send in between. */
  private boolean awaitQuiescence(long deadline) {
    long previousSends = -1;
    while (System.nanoTime() - deadline < 0) {
      long sends = 0;
      boolean idle = true;
      synchronized (this) {
        for (Group group : groups) {
          sends += group.sends();
          idle &= group.paused || group.isIdle();
        }
      }
      if (idle && sends == previousSends) {
        return true;
      }
      previousSends = idle ? sends : -1;
      try {
        Thread.sleep(idle ? 1 : 5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** One consumer group: its lanes, its pause switch and its bound. */
  private final class Group implements BrokerSubscription {
    final String name;
    final List<String> types;
    final RecordHandler handler;
    final Lane[] lanes;
    volatile boolean paused;
    volatile boolean closed;

    Group(SubscriptionRequest request, RecordHandler handler) {
      this.name = request.group();
      this.types = List.copyOf(request.types());
      this.handler = handler;
      int lanesCount = request.concurrency();
      int perLane = Math.max(1, (config.groupCapacity() + lanesCount - 1) / lanesCount);
      this.lanes = new Lane[lanesCount];
      for (int i = 0; i < lanesCount; i++) {
        lanes[i] = new Lane(this, perLane);
      }
    }

    Lane laneFor(BrokerRecord record) {
      return lanes[laneIndex(record.key(), lanes.length)];
    }

    OmsException full() {
      return new OmsException(OmsException.Kind.BACKPRESSURE, "consumer group " + name + " is full: the lane of "
          + "this order holds its maximum of " + lanes[0].queue.capacity() + " waiting events (groupCapacity "
          + config.groupCapacity() + " split over " + lanes.length + " lanes); the group is paused or slower "
          + "than its publishers; raise InMemoryBrokerConfig.groupCapacity, add concurrency, or retry later");
    }

    /** Accepted and not yet handled: waiting in a lane or being handled right now. */
    @Override
    public long backlog() {
      long total = 0;
      for (Lane lane : lanes) {
        total += lane.pending();
      }
      return total;
    }

    long sends() {
      long total = 0;
      for (Lane lane : lanes) {
        total += lane.queue.offered();
      }
      return total;
    }

    boolean isIdle() {
      for (Lane lane : lanes) {
        if (!lane.queue.isEmpty() || lane.isScheduled() || lane.outstanding.get() > 0) {
          return false;
        }
      }
      return true;
    }

    @Override
    public void pause() {
      paused = true;
    }

    @Override
    public void resume() {
      paused = false;
      for (Lane lane : lanes) {
        if (!lane.queue.isEmpty()) {
          lane.schedule();
        }
      }
    }

    @Override
    public boolean isPaused() {
      return paused;
    }

    @Override
    public void close() {
      closed = true;
      unsubscribe(this);
      long dropped = backlog();
      for (Lane lane : lanes) {
        lane.schedule(); // each lane drops what it holds, on its own thread (its queue has one consumer)
      }
      if (dropped > 0) {
        log.warn("group {} unsubscribed with {} undelivered events; they are dropped with it", name, dropped);
      }
    }
  }

  static int laneIndex(String key, int lanes) {
    return KeyedLanes.laneOf(key, lanes);
  }

  /** A queue and the task that drains it; scheduled on the pool only while it has work. */
  private final class Lane implements Runnable {
    final Group group;
    final MpscArrayQueue<BrokerRecord> queue;
    private final java.util.concurrent.atomic.AtomicBoolean scheduled = new java.util.concurrent.atomic.AtomicBoolean();
    /** Records whose outcome settled; with the queue's offer count it gives the lane's backlog. */
    private final java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong();
    /** Records handed to the runtime whose outcome is still pending (a retry timer, a blocking handler). */
    final java.util.concurrent.atomic.AtomicInteger outstanding = new java.util.concurrent.atomic.AtomicInteger();
    private final int maxOutstanding;
    /**
     * Keys whose record came back retry-later, with that record and the key's later records, by
     * lane sequence: they are delivered again, in order, before any other record of the key. Empty
     * but for a closing bus or a runtime failure, so the common path reads one volatile int.
     */
    private final Map<String, java.util.TreeMap<Long, Held>> held = new HashMap<>();
    private final java.util.Set<String> due = new java.util.HashSet<>();
    private volatile int heldKeys;
    private volatile boolean anyDue;
    /** The key the lane is handing over right now (null between records): a retry waits until it is handed. */
    private volatile String handingKey;
    private volatile Thread handingThread;
    private long sequence; // the lane's running order of records; lane thread only

    Lane(Group group, int capacity) {
      this.group = group;
      this.queue = new MpscArrayQueue<>(capacity);
      this.maxOutstanding = Math.max(16, queue.capacity());
    }

    boolean isScheduled() {
      return scheduled.get();
    }

    /** Counts a record until its outcome settled, so a record being handled is never invisible. */
    long pending() {
      long done = completed.get();
      return Math.max(0, queue.offered() - done);
    }

    void schedule() {
      if ((group.closed || !group.paused && outstanding.get() < maxOutstanding) && !scheduled.get()
          && scheduled.compareAndSet(false, true)) {
        try {
          pool.execute(this);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          scheduled.set(false); // the pool is shut down: the broker is closed
        }
      }
    }

    /** Empties the queue of an unsubscribed group; called on the lane's own run (the queue's one consumer). */
    private void dropQueued() {
      while (queue.poll() != null) {
        completed.incrementAndGet();
      }
    }

    @Override
    public void run() {
      if (group.closed) {
        dropQueued();
        scheduled.set(false);
        return; // never scheduled again: schedule() of a closed group only ever drops
      }
      int batch = config.drainBatch();
      try {
        if (heldKeys > 0 && !group.paused && !group.closed) {
          redeliverDue();
        }
        for (int i = 0; i < batch && !group.paused && !group.closed && outstanding.get() < maxOutstanding; i++) {
          BrokerRecord record = queue.poll();
          if (record == null) {
            break;
          }
          if (record == SKIP) {
            completed.incrementAndGet();
          } else {
            deliver(record, DeliveryInfo.FIRST, sequence++);
          }
        }
      } finally {
        scheduled.set(false);
        if (!queue.isEmpty() || anyDue || group.closed) {
          schedule(); // queued records, a retry that came due while this run was past it, or a closed group's drop
        }
      }
    }

    /**
     * Hands a record to the runtime, or, when its key waits for a retry, queues it behind that; an
     * outcome that is not ready is counted as outstanding until it is.
     */
    private void deliver(BrokerRecord record, DeliveryInfo info, long seq) {
      String key = record.key();
      handingThread = Thread.currentThread();
      handingKey = key; // written before heldKeys is read: a retry of this key either shows here or waits for us
      try {
        if (heldKeys > 0 && key != null) {
          synchronized (held) {
            java.util.TreeMap<Long, Held> waiting = held.get(key);
            if (waiting != null) {
              waiting.put(seq, new Held(record, info));
              outstanding.incrementAndGet();
              return;
            }
          }
        }
        CompletableFuture<Outcome> stage = handOver(record, info);
        if (stage.isDone()) {
          settled(record, info, seq, stage);
          return;
        }
        outstanding.incrementAndGet();
        stage.whenComplete((outcome, error) -> {
          settled(record, info, seq, stage);
          if (outstanding.decrementAndGet() < maxOutstanding) {
            schedule();
          }
        });
      } finally {
        handingKey = null;
      }
    }

    private CompletableFuture<Outcome> handOver(BrokerRecord record, DeliveryInfo info) {
      try {
        return group.handler.deliver(record, info).toCompletableFuture();
      } catch (RuntimeException e) { // the runtime never throws; an adapter-side guard all the same
        return CompletableFuture.failedFuture(e);
      }
    }

    private void settled(BrokerRecord record, DeliveryInfo info, long seq, CompletableFuture<Outcome> stage) {
      Outcome outcome = stage.isCompletedExceptionally() ? null : stage.join();
      if (outcome == null || !outcome.isSettled()) {
        redeliverLater(record, info, seq, outcome);
        return;
      }
      completed.incrementAndGet();
    }

    /**
     * Retry-later in memory: the runtime waits out broker and store trouble itself, so this comes
     * only from a bus that is closing (the record is then dropped with the closed broker, as any
     * undelivered one) or a runtime-side failure, after which the record is delivered again.
     */
    private void redeliverLater(BrokerRecord record, DeliveryInfo info, long seq, Outcome outcome) {
      if (state == CLOSED || group.closed) {
        completed.incrementAndGet();
        log.warn("group {}: {} not settled at close ({}); dropped with the closed in-memory broker", group.name, record,
            outcome);
        return;
      }
      long delay = outcome == null ? 100 : Math.max(10, outcome.retryAfter().toMillis());
      log.warn("group {}: {} to be delivered again in {} ms ({})", group.name, record, delay, outcome);
      DeliveryInfo again = DeliveryInfo.delivery(info.deliveryCount() + 1);
      String key = record.key();
      outstanding.incrementAndGet();
      if (key == null) { // no order to keep
        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, pool).execute(() -> {
          outstanding.decrementAndGet();
          deliver(record, again, seq);
        });
        return;
      }
      // The key's later records must not pass it: they wait with it (the runtime settles those it
      // held behind it retry-later too, right after this), and all go again in lane order.
      boolean first;
      synchronized (held) {
        java.util.TreeMap<Long, Held> waiting = held.get(key);
        first = waiting == null;
        if (first) {
          held.put(key, waiting = new java.util.TreeMap<>());
          heldKeys++;
        }
        waiting.put(seq, new Held(record, again));
      }
      if (first) {
        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, pool).execute(() -> {
          synchronized (held) {
            due.add(key);
            anyDue = true;
          }
          schedule();
        });
      }
      // A record of this key being handed over on the lane right now did not see the hold: let it
      // reach the runtime (behind this one's gate, which is released only after this returns).
      while (key.equals(handingKey) && handingThread != Thread.currentThread()) {
        Thread.onSpinWait();
      }
    }

    /** Delivers again, in lane order, the records of every key whose retry is due. Lane thread only. */
    private void redeliverDue() {
      List<java.util.TreeMap<Long, Held>> ready = new ArrayList<>();
      synchronized (held) {
        for (String key : due) {
          java.util.TreeMap<Long, Held> waiting = held.remove(key);
          if (waiting != null) {
            heldKeys--;
            ready.add(waiting);
          }
        }
        due.clear();
        anyDue = false;
      }
      for (java.util.TreeMap<Long, Held> waiting : ready) {
        for (Map.Entry<Long, Held> entry : waiting.entrySet()) {
          outstanding.decrementAndGet();
          deliver(entry.getValue().record(), entry.getValue().info(), entry.getKey());
        }
      }
    }
  }

  /** A record waiting for its key's retry. */
  private record Held(BrokerRecord record, DeliveryInfo info) {}
}
