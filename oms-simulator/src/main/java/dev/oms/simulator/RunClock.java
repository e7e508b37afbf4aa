package dev.oms.simulator;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.locks.LockSupport;

/** The run's clock: wall time since the start and the fraction of the arrival phase that has passed. */
final class RunClock {
  private final double wallNanos;
  private volatile long startNanos;

  RunClock(double wallNanos) {
    this.wallNanos = wallNanos;
    this.startNanos = System.nanoTime();
  }

  void start(long nanos) {
    this.startNanos = nanos;
  }

  long startNanos() {
    return startNanos;
  }

  /** Seconds since the start. */
  double seconds(long nanoTime) {
    return (nanoTime - startNanos) / 1e9;
  }

  /** The fraction of the arrival phase that has passed (above 1 after it). */
  double fraction() {
    return wallNanos <= 0 ? 1 : (System.nanoTime() - startNanos) / wallNanos;
  }

  double wallNanos() {
    return wallNanos;
  }

  /**
   * Waits {@code nanos} of wall time the way a slow remote call would, without starving the broker:
   * inside a fork-join pool the wait is a managed block, so the pool lends another thread meanwhile.
   */
  static void pause(long nanos) {
    if (nanos <= 0) {
      return;
    }
    long deadline = System.nanoTime() + nanos;
    try {
      ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
        @Override
        public boolean block() {
          long left = deadline - System.nanoTime();
          if (left > 0) {
            LockSupport.parkNanos(left);
          }
          return System.nanoTime() >= deadline;
        }

        @Override
        public boolean isReleasable() {
          return System.nanoTime() >= deadline;
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
