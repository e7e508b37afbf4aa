package dev.oms.example;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.KeyOrder;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A small in-process broker on {@code java.util.concurrent}: the worked example of the broker test
 * kit. Each consumer group has {@code concurrency} worker threads, each owning a bounded queue; a
 * record goes to the worker its key hashes to, so one key's records are handled one at a time and
 * in order while different keys run in parallel.
 *
 * <ul>
 *   <li>A full queue makes {@link #send} wait up to {@code offerTimeout}, then fail with
 *       {@code BACKPRESSURE}. A send refused by one full group may already be queued for another;
 *       a retry is then a duplicate there, which the bus's deduplication absorbs.
 *   <li>A record whose handler throws is delivered again after {@code redeliveryPause}, before
 *       anything behind it: at-least-once, order kept.
 *   <li>{@link #close(Duration)} refuses new sends, then lets the workers empty their queues.
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

  /** 10,000 records per worker queue, 5 s offer timeout, 100 ms redelivery pause, 1 MiB records. */
  public static QueueBroker ofDefaults() {
    return new QueueBroker(10_000, Duration.ofSeconds(5), Duration.ofMillis(100), 1024 * 1024);
  }

  @Override
  public String name() {
    return "example-queue";
  }

  @Override
  public BrokerCapabilities capabilities() {
    // In-process: events travel as objects; nothing survives the JVM; no history to replay.
    return BrokerCapabilities.builder().carriesObjects(true).maxRecordBytes(maxRecordBytes)
        .keyOrder(KeyOrder.NATIVE, true).build();
  }

  @Override
  public void start(BrokerContext context) {
    // Nothing to connect to, and objects need no codec.
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
              + " records per worker) for " + offerTimeout + "; slow down, or raise concurrency or capacity");
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
      drained &= group.drain(deadline);
    }
    return drained;
  }

  private static CompletionStage<Void> failed(Kind kind, String message) {
    return CompletableFuture.failedFuture(new OmsException(kind, message));
  }

  /** One consumer group: a worker (thread and queue) per unit of concurrency. */
  private final class Group implements BrokerSubscription {
    final String name;
    final Set<String> types;
    final RecordHandler handler;
    final Worker[] workers;
    final AtomicLong pending = new AtomicLong(); // accepted, not yet handled
    volatile boolean paused;
    volatile boolean draining;
    volatile boolean stopped;

    Group(SubscriptionRequest request, RecordHandler handler) {
      this.name = request.group();
      this.types = request.types();
      this.handler = handler;
      this.workers = new Worker[request.concurrency()];
      for (int i = 0; i < workers.length; i++) {
        workers[i] = new Worker(this, "example-queue-" + name + "-" + i);
      }
      for (Worker worker : workers) {
        worker.thread.start();
      }
    }

    boolean offer(BrokerRecord record) throws InterruptedException {
      Worker worker = workers[record.key() == null ? 0 : Math.floorMod(record.key().hashCode(), workers.length)];
      pending.incrementAndGet();
      if (worker.queue.offer(record, offerTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return true;
      }
      pending.decrementAndGet();
      return false;
    }

    /** Lets the workers empty their queues (a paused group cannot), then stops them. */
    boolean drain(long deadline) {
      synchronized (this) {
        draining = true;
        notifyAll(); // paused workers wake up and leave
      }
      for (Worker worker : workers) {
        try {
          worker.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      close();
      return pending.get() == 0;
    }

    @Override
    public synchronized void pause() {
      paused = true;
    }

    @Override
    public synchronized void resume() {
      paused = false;
      notifyAll();
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
      for (Worker worker : workers) {
        worker.thread.interrupt();
      }
    }
  }

  /** One thread and its queue: handles the records of the keys hashed to it, one at a time. */
  private final class Worker implements Runnable {
    final Group group;
    final BlockingQueue<BrokerRecord> queue = new ArrayBlockingQueue<>(queueCapacity);
    final Thread thread;

    Worker(Group group, String threadName) {
      this.group = group;
      this.thread = new Thread(this, threadName);
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      BrokerRecord current = null;
      try {
        while (awaitResumed()) {
          if (current == null && (current = queue.poll(20, TimeUnit.MILLISECONDS)) == null) {
            if (group.draining) {
              return; // closing, and nothing left
            }
          } else if (!group.paused) { // paused while polling: hold the record until resume()
            deliver(current);
            current = null;
            group.pending.decrementAndGet();
          }
        }
      } catch (InterruptedException e) {
        // stopped by close()
      }
    }

    /** Waits while the group is paused; false when the worker should stop. */
    private boolean awaitResumed() throws InterruptedException {
      synchronized (group) {
        while (group.paused && !group.draining && !group.stopped) {
          group.wait();
        }
        return !group.stopped && !(group.paused && group.draining); // closing a paused group leaves its records
      }
    }

    /** Until the handler returns normally: a rejected record is delivered again after a pause. */
    private void deliver(BrokerRecord record) throws InterruptedException {
      while (true) {
        try {
          if (group.handler.deliver(record, DeliveryInfo.FIRST).toCompletableFuture().join().isSettled()) {
            return;
          }
        } catch (VirtualMachineError fatal) {
          throw fatal;
        } catch (Throwable rejected) {
          if (group.stopped) {
            throw new InterruptedException("stopped while redelivering " + record);
          }
          Thread.sleep(redeliveryPause.toMillis());
        }
      }
    }
  }
}
