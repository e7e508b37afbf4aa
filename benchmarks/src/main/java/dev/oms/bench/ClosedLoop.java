package dev.oms.bench;

import java.util.BitSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulator's {@code --max-in-flight}: at most N orders placed and not finished. An order
 * finishes when the probe group reads its terminal record (OrderFulfilled or OrderCancelled), as
 * in the simulator, which releases a permit in its probe handler.
 */
final class ClosedLoop {
  private final Semaphore permits;
  private final BitSet finished; // guarded by this
  private final AtomicInteger finishedCount = new AtomicInteger();
  private volatile long lastFinishNanos;

  ClosedLoop(int maxInFlight, int orders) {
    this.permits = new Semaphore(maxInFlight);
    this.finished = new BitSet(orders);
  }

  /** Waits for room for one more order; false when none finished within the timeout. */
  boolean place(long timeout, TimeUnit unit) throws InterruptedException {
    return permits.tryAcquire(timeout, unit);
  }

  /** Order {@code index} ended; a second terminal record of it (a redelivery) is ignored. */
  void finish(int index) {
    synchronized (this) {
      if (finished.get(index)) {
        return;
      }
      finished.set(index);
    }
    lastFinishNanos = System.nanoTime();
    finishedCount.incrementAndGet();
    permits.release();
  }

  int finished() {
    return finishedCount.get();
  }

  long lastFinishNanos() {
    return lastFinishNanos;
  }
}
