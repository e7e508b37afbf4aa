package dev.oms.bench;

import dev.oms.event.OrderEvent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the events a final consumer handled, and lets the benchmark thread sleep (not spin: it
 * must not steal a core from the consumers) until a count is reached. The same object and the same
 * work in every implementation.
 */
public final class Completion {
  private static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final AtomicLong done = new AtomicLong();
  private volatile long target = Long.MAX_VALUE;
  private volatile Thread waiter;
  /** Folds in something of every event, so no handler's work can be optimised away. */
  private long sink;

  /** A final consumer handled {@code event}. */
  public void arrive(OrderEvent event) {
    sink += event.orderId().length();
    if (done.incrementAndGet() == target) {
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  /** A final consumer handled a record it did not decode (raw Kafka baseline): folds in its key. */
  public void arrive(String key) {
    sink += key.length();
    if (done.incrementAndGet() == target) {
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  public long done() {
    return done.get();
  }

  /** Sleeps until {@code count} events arrived in total. */
  public void await(long count) {
    if (done.get() >= count) {
      return;
    }
    waiter = Thread.currentThread();
    target = count;
    long deadline = System.nanoTime() + STUCK_NANOS;
    while (done.get() < count) {
      LockSupport.parkNanos(100_000);
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("stuck: " + done.get() + " of " + count + " events arrived in 60 s");
      }
    }
    target = Long.MAX_VALUE;
  }

  long sink() {
    return sink;
  }
}
