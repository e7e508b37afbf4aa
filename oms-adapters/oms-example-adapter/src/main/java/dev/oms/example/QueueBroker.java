package dev.oms.example;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A small in-process broker: the worked example of the broker test kit. Each consumer group feeds
 * {@link KeyedLanes} on the bus's worker threads ({@link BrokerContext#workers()}): a key's records
 * keep their order, different keys run in parallel, and a record waiting for its outcome holds up
 * nobody else. The adapter acknowledges in the lanes' settlement callback.
 *
 * <ul>
 *   <li>Each group holds at most {@code queueCapacity} records not yet settled; a full group makes
 *       {@link #send} wait up to {@code offerTimeout}, then fail with {@code BACKPRESSURE}. A send
 *       refused by one full group may already be queued for another; a retry is then a duplicate
 *       there, which the bus's deduplication absorbs.
 *   <li>A record that comes back {@code RETRY_LATER} is delivered again after
 *       {@code redeliveryPause} (or the outcome's {@code retryAfter}, if longer), before the later
 *       records of its key: the adapter hands the lanes one record per key at a time.
 *   <li>{@link #close(Duration)} refuses new sends, then waits until every accepted record settled
 *       (a paused group keeps its records and makes {@code close} return false).
 * </ul>
 */
public final class QueueBroker implements EventBroker {
  private final int queueCapacity;
  private final Duration offerTimeout;
  private final Duration redeliveryPause;
  private final int maxRecordBytes;
  private final List<Group> groups = new CopyOnWriteArrayList<>();
  /** Sends hold the read side; close takes the write side, so no send slips in once draining began. */
  private final ReadWriteLock sendLock = new ReentrantReadWriteLock();
  private volatile BrokerContext context;
  private volatile boolean closed;

  public QueueBroker(int queueCapacity, Duration offerTimeout, Duration redeliveryPause, int maxRecordBytes) {
    if (queueCapacity < 1 || maxRecordBytes < 1 || offerTimeout.isNegative() || redeliveryPause.isNegative()) {
      throw new OmsException(Kind.CONFIGURATION, "queueCapacity and maxRecordBytes must be >= 1, durations not "
          + "negative; was " + queueCapacity + ", " + maxRecordBytes + ", " + offerTimeout + ", " + redeliveryPause);
    }
    this.queueCapacity = queueCapacity;
    this.offerTimeout = offerTimeout;
    this.redeliveryPause = redeliveryPause;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** 10,000 records per group, 5 s offer timeout, 100 ms redelivery pause, 1 MiB records. */
  public static QueueBroker ofDefaults() {
    return new QueueBroker(10_000, Duration.ofSeconds(5), Duration.ofMillis(100), 1024 * 1024);
  }

  @Override
  public String name() {
    return "example-queue";
  }

  @Override
  public BrokerCapabilities capabilities() {
    // In-process: events travel as objects; nothing survives the JVM; no history to replay; one
    // queue per group carries every type, so a key's records keep their order across types.
    return BrokerCapabilities.builder().carriesObjects(true).maxRecordBytes(maxRecordBytes)
        .keyOrder(KeyOrder.NATIVE, true).build();
  }

  @Override
  public void start(BrokerContext context) {
    this.context = context; // objects need no codec; the workers run the deliveries
  }

  @Override
  public CompletionStage<Void> send(BrokerRecord record) {
    if (record.type() == null) {
      return failed(Kind.INVALID_EVENT, "cannot route a record without a type: " + record);
    }
    if (record.body() != null && record.body().length > maxRecordBytes) {
      return failed(Kind.OVERSIZED_EVENT,
          "record of " + record.body().length + " bytes is over the limit of " + maxRecordBytes + " bytes");
    }
    sendLock.readLock().lock();
    try {
      if (closed) {
        return failed(Kind.CLOSED, "the example queue broker is closed");
      }
      for (Group group : groups) {
        if (group.types.contains(record.type()) && !group.offer(record)) {
          return failed(Kind.BACKPRESSURE, "group " + group.name + " stayed full (" + queueCapacity
              + " records) for " + offerTimeout + "; slow down, or raise its capacity");
        }
      }
      return CompletableFuture.completedFuture(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(Kind.BACKPRESSURE, "interrupted while waiting for room in a full group");
    } finally {
      sendLock.readLock().unlock();
    }
  }

  @Override
  public synchronized BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
    if (closed) {
      throw new OmsException(Kind.CLOSED, "the example queue broker is closed");
    }
    if (groups.stream().anyMatch(g -> g.name.equals(request.group()))) {
      throw new OmsException(Kind.CONFIGURATION, "group " + request.group() + " is already subscribed");
    }
    Group group = new Group(request, handler);
    groups.add(group);
    return group;
  }

  @Override
  public boolean close(Duration drainTimeout) {
    synchronized (this) { // no subscribe after this
      sendLock.writeLock().lock(); // waits for sends in progress
      closed = true;
      sendLock.writeLock().unlock();
    }
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    boolean drained = true;
    for (Group group : groups) {
      while (!group.paused && group.pending.get() > 0 && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(1_000_000);
      }
      drained &= group.pending.get() == 0;
      group.close();
    }
    return drained;
  }

  private static CompletionStage<Void> failed(Kind kind, String message) {
    return CompletableFuture.failedFuture(new OmsException(kind, message));
  }

  /** One record on its way through a group, and how many times it was delivered. */
  private record Item(BrokerRecord record, DeliveryInfo info) {}

  /** One consumer group: its bound, its keyed lanes, and each key's records waiting behind the one delivered. */
  private final class Group implements BrokerSubscription {
    final String name;
    final Set<String> types;
    final KeyedLanes<Item> lanes;
    final Semaphore room = new Semaphore(queueCapacity);
    final AtomicLong pending = new AtomicLong(); // accepted, not yet settled
    final Map<String, ArrayDeque<Item>> keys = new HashMap<>(); // guarded by this: the head is in the lanes
    volatile boolean paused;
    volatile boolean stopped;

    Group(SubscriptionRequest request, RecordHandler handler) {
      this.name = request.group();
      this.types = request.types();
      this.lanes = KeyedLanes.create(name, request.concurrency(), context.workers(), handler,
          KeyedLanes.Source.of(Item::record, Item::info), this::settled);
    }

    /** Takes room for a record (waiting up to the offer timeout) and queues it; false when the group stayed full. */
    boolean offer(BrokerRecord record) throws InterruptedException {
      if (!room.tryAcquire(offerTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return false;
      }
      pending.incrementAndGet();
      enqueue(new Item(record, DeliveryInfo.FIRST));
      return true;
    }

    /** A key's first record goes to the lanes; later ones wait until it settled, so a retry keeps the order. */
    private synchronized void enqueue(Item item) {
      String key = item.record().key();
      ArrayDeque<Item> waiting = keys.get(key);
      if (waiting != null) {
        waiting.add(item);
        return;
      }
      waiting = new ArrayDeque<>();
      waiting.add(item);
      keys.put(key, waiting);
      lanes.submit(key, item);
    }

    /** The acknowledgement: a settled record leaves (and its key's next one goes); RETRY_LATER comes again. */
    private void settled(Item item, Outcome outcome) {
      String key = item.record().key();
      if (!outcome.isSettled() && !stopped) {
        long pause = Math.max(redeliveryPause.toMillis(), outcome.retryAfter().toMillis());
        Item again = new Item(item.record(), DeliveryInfo.delivery(item.info().deliveryCount() + 1));
        CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS, context.workers()).execute(() -> {
          synchronized (this) {
            ArrayDeque<Item> waiting = keys.get(key);
            waiting.poll();
            waiting.addFirst(again);
          }
          lanes.submit(key, again);
        });
        return;
      }
      Item next;
      synchronized (this) {
        ArrayDeque<Item> waiting = keys.get(key);
        waiting.poll();
        next = waiting.peek();
        if (next == null) {
          keys.remove(key);
        }
      }
      room.release();
      pending.decrementAndGet();
      if (next != null) {
        lanes.submit(key, next);
      }
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
      return pending.get();
    }

    @Override
    public void close() {
      stopped = true;
      groups.remove(this);
      lanes.abort(Duration.ofSeconds(5)); // what has not settled is dropped with the in-process broker
    }
  }
}
