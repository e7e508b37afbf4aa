package dev.oms.broker.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed lanes every pull adapter needs between the thread that receives records (a poll loop,
 * a message listener) and the delivery runtime, in one place: records are spread over
 * {@code lanes} queues by key, so a key's records keep their order, and the lanes are drained on the
 * bus's worker threads ({@link BrokerContext#workers()}), never on threads of the adapter's own. A
 * lane hands each record to {@link RecordHandler#deliver} and moves on at once: it does not wait for
 * the record's outcome, so records of other orders proceed while one waits for its follow-on
 * events' acknowledgements or a retry timer (the runtime's per-key gate keeps each order's records
 * one at a time). When an outcome completes, {@code settlement} is told, on whichever thread
 * completed it: that is where the adapter acknowledges or commits.
 *
 * <p>Flow control is the adapter's: {@link #outstanding()} counts records submitted and not yet
 * settled; stop fetching above a bound. {@link #cancel} gives records up (a revoked partition, a
 * lost lease): queued ones are dropped, those in progress cancelled, and it returns once none of
 * their steps still runs, so the next owner never handles an order at the same time as this one.
 *
 * <pre>{@code
 * KeyedLanes<ConsumerRecord<String, byte[]>> lanes = KeyedLanes.create("orders", request.concurrency(),
 *     context.workers(), handler, KeyedLanes.Source.of(r -> toBrokerRecord(r), r -> DeliveryInfo.FIRST),
 *     (r, outcome) -> { if (outcome.isSettled()) markDone(r); });
 * for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) lanes.submit(r.key(), r);
 * }</pre>
 *
 * @param <T> the adapter's own record type
 */
public final class KeyedLanes<T> {
  private static final Logger log = LoggerFactory.getLogger(KeyedLanes.class);
  private static final int BATCH = 64;
  private static final int QUEUED = 0;
  private static final int TAKEN = 1;
  private static final int DROPPED = 2;

  /** How a lane reads an adapter record: called on the lane's worker thread, not the receiving one. */
  public interface Source<T> {
    BrokerRecord record(T item);

    DeliveryInfo info(T item);

    static <T> Source<T> of(java.util.function.Function<T, BrokerRecord> record,
        java.util.function.Function<T, DeliveryInfo> info) {
      return new Source<>() {
        @Override
        public BrokerRecord record(T item) {
          return record.apply(item);
        }

        @Override
        public DeliveryInfo info(T item) {
          return info.apply(item);
        }
      };
    }
  }

  /** Told once per submitted record, with its outcome ({@code RETRY_LATER} when dropped or cancelled). */
  @FunctionalInterface
  public interface Settlement<T> {
    void settled(T item, Outcome outcome);
  }

  private final String name;
  private final Executor workers;
  private final RecordHandler handler;
  private final Source<T> source;
  private final Settlement<T> settlement;
  private final List<Lane<T>> lanes;
  private final Set<Entry<T>> live = ConcurrentHashMap.newKeySet();
  private final AtomicInteger outstanding = new AtomicInteger();
  private final Object idle = new Object();
  private volatile boolean paused;
  private volatile boolean stopped;

  private KeyedLanes(String name, int lanes, Executor workers, RecordHandler handler, Source<T> source,
      Settlement<T> settlement) {
    if (lanes < 1 || workers == null || handler == null || source == null || settlement == null) {
      throw new IllegalArgumentException("keyed lanes need lanes >= 1, workers, a handler, a source and a settlement");
    }
    this.name = name;
    this.workers = workers;
    this.handler = handler;
    this.source = source;
    this.settlement = settlement;
    List<Lane<T>> all = new ArrayList<>(lanes);
    for (int i = 0; i < lanes; i++) {
      all.add(new Lane<>(this));
    }
    this.lanes = List.copyOf(all);
  }

  /** Keyed lanes for one subscription; {@code name} appears in logs. */
  public static <T> KeyedLanes<T> create(String name, int lanes, Executor workers, RecordHandler handler,
      Source<T> source, Settlement<T> settlement) {
    return new KeyedLanes<>(name, lanes, workers, handler, source, settlement);
  }

  /**
   * Queues a record on its key's lane; never blocks. Call it in the order the broker delivered the
   * records, from one thread at a time. A null key goes to lane 0.
   */
  public void submit(String key, T item) {
    Entry<T> entry = new Entry<>(item);
    if (stopped) {
      settle(entry, Outcome.retryLater(Duration.ZERO, new CancellationException("keyed lanes " + name + " stopped")));
      return;
    }
    outstanding.incrementAndGet();
    live.add(entry);
    Lane<T> lane = lanes.get(laneOf(key, lanes.size()));
    lane.queue.add(entry);
    lane.schedule();
  }

  /** The lane of a key: the same function the in-memory broker uses, so a key's lane is stable. */
  public static int laneOf(String key, int lanes) {
    if (lanes == 1 || key == null) {
      return 0;
    }
    int h = key.hashCode();
    h ^= h >>> 16;
    return (h & 0x7fffffff) % lanes;
  }

  /** Records submitted and not yet settled: queued in a lane or in progress in the runtime. */
  public int outstanding() {
    return outstanding.get();
  }

  /** Stops handing queued records to the runtime (those in progress finish); {@link #resume()} undoes it. */
  public void pause() {
    paused = true;
  }

  public void resume() {
    paused = false;
    for (Lane<T> lane : lanes) {
      lane.schedule();
    }
  }

  public boolean isPaused() {
    return paused;
  }

  /**
   * Gives up the records {@code which} selects: queued ones are dropped, those in progress
   * cancelled; each is settled with {@code RETRY_LATER}. Returns once no step of theirs still runs,
   * or {@code timeout} passed; the number of records given up.
   */
  public int cancel(Predicate<T> which, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<CompletableFuture<Outcome>> cancelled = new ArrayList<>();
    int count = 0;
    for (Entry<T> entry : live) {
      if (!which.test(entry.item)) {
        continue;
      }
      count++;
      if (entry.state.compareAndSet(QUEUED, DROPPED)) {
        settle(entry, Outcome.retryLater(Duration.ZERO, new CancellationException("given up before delivery")));
        continue;
      }
      CompletableFuture<Outcome> stage = entry.awaitStage(deadline);
      if (stage != null) {
        stage.cancel(false);
        cancelled.add(stage);
      }
    }
    for (CompletableFuture<Outcome> stage : cancelled) {
      if (!handler.awaitStopped(stage, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        log.warn("{}: a cancelled delivery still had a step running after {}", name, timeout);
      }
    }
    return count;
  }

  /** Stops taking new records (they are settled {@code RETRY_LATER} at once); queued ones still run. */
  public void stop() {
    stopped = true;
  }

  /** Waits until every submitted record settled; true if that happened within {@code timeout}. */
  public boolean awaitSettled(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (outstanding.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(idle, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Stops at once, as a crashed process would: nothing more is delivered, everything in progress is
   * cancelled, and it returns once none of it still runs (or {@code timeout} passed).
   */
  public void abort(Duration timeout) {
    stopped = true;
    paused = true;
    cancel(item -> true, timeout);
  }

  private void settle(Entry<T> entry, Outcome outcome) {
    if (!entry.settled.compareAndSet(false, true)) {
      return;
    }
    if (live.remove(entry) && outstanding.decrementAndGet() == 0) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
    try {
      settlement.settled(entry.item, outcome);
    } catch (RuntimeException e) {
      log.error("{}: the adapter's settlement of a record failed", name, e);
    }
  }

  private void deliver(Entry<T> entry) {
    CompletableFuture<Outcome> stage;
    try {
      BrokerRecord record = source.record(entry.item);
      DeliveryInfo info = source.info(entry.item);
      CompletionStage<Outcome> returned = handler.deliver(record, info);
      stage = returned == null ? CompletableFuture.failedFuture(new IllegalStateException("deliver returned null"))
          : returned.toCompletableFuture();
    } catch (RuntimeException e) {
      log.error("{}: delivering a record failed in the adapter or runtime; it will be delivered again", name, e);
      stage = CompletableFuture.failedFuture(e);
    }
    entry.stage = stage;
    stage.whenComplete((outcome, error) -> settle(entry, error == null && outcome != null ? outcome
        : Outcome.retryLater(Duration.ZERO, error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error)));
  }

  /** One record on its way: queued, taken by a lane, or dropped. */
  private static final class Entry<T> {
    final T item;
    final AtomicInteger state = new AtomicInteger(QUEUED);
    final AtomicBoolean settled = new AtomicBoolean();
    volatile CompletableFuture<Outcome> stage;

    Entry(T item) {
      this.item = item;
    }

    /** The stage of a taken record; a lane sets it right after taking the record. */
    CompletableFuture<Outcome> awaitStage(long deadline) {
      CompletableFuture<Outcome> s;
      while ((s = stage) == null && System.nanoTime() - deadline < 0 && !settled.get()) {
        Thread.onSpinWait();
      }
      return s;
    }
  }

  /** A queue and the task that drains it; scheduled on the workers only while it has work. */
  private static final class Lane<T> implements Runnable {
    final KeyedLanes<T> owner;
    final ConcurrentLinkedQueue<Entry<T>> queue = new ConcurrentLinkedQueue<>();
    final AtomicBoolean scheduled = new AtomicBoolean();

    Lane(KeyedLanes<T> owner) {
      this.owner = owner;
    }

    void schedule() {
      if (!owner.paused && !queue.isEmpty() && scheduled.compareAndSet(false, true)) {
        try {
          owner.workers.execute(this);
        } catch (RejectedExecutionException e) {
          scheduled.set(false); // the workers are shut down: the bus is closed
        }
      }
    }

    @Override
    public void run() {
      try {
        for (int i = 0; i < BATCH && !owner.paused; i++) {
          Entry<T> entry = queue.poll();
          if (entry == null) {
            break;
          }
          if (entry.state.compareAndSet(QUEUED, TAKEN)) {
            owner.deliver(entry);
          }
        }
      } finally {
        scheduled.set(false);
        schedule();
      }
    }
  }
}
