package dev.oms.runtime;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A consumer group's hot counters without false sharing: every thread adds to a stripe of its own
 * (picked by thread id), and each stripe fills whole cache lines, so two threads counting never
 * write the same line (separate {@code LongAdder}s did: their uncontended base fields sat side by
 * side). Reading sums the stripes.
 */
final class GroupCounters {
  static final int RECEIVED = 0;
  static final int COMPLETED = 1;
  static final int HANDLED = 2;
  static final int RETRIED = 3;
  static final int DEAD_LETTERED = 4;
  static final int DUPLICATES = 5;
  static final int PARKED = 6;
  static final int RETRY_LATER = 7;
  static final int REFUSED_DEAD_LETTERS = 8;
  private static final int COUNTERS = 9;

  /** Longs per stripe: 16 longs = 128 bytes, two cache lines, so adjacent-line prefetch is covered too. */
  static final int STRIDE = 16;

  private final AtomicLongArray cells;
  private final int stripeMask;

  GroupCounters() {
    int stripes = Integer.highestOneBit(Math.max(4, Runtime.getRuntime().availableProcessors() * 4 - 1)) << 1;
    this.stripeMask = stripes - 1;
    // One spare stripe in front: the array's header shares the first line with nothing we write.
    this.cells = new AtomicLongArray((stripes + 1) * STRIDE);
  }

  void increment(int counter) {
    cells.getAndIncrement(offset(stripeOf(Thread.currentThread()), counter));
  }

  long sum(int counter) {
    long total = 0;
    for (int stripe = 0; stripe <= stripeMask; stripe++) {
      total += cells.get(offset(stripe, counter));
    }
    return total;
  }

  int stripeOf(Thread thread) {
    long id = thread.getId();
    return (int) ((id ^ (id >>> 7)) & stripeMask);
  }

  /** The array index of a counter in a stripe: stripes are {@link #STRIDE} longs apart. */
  static int offset(int stripe, int counter) {
    return (stripe + 1) * STRIDE + counter;
  }

  static {
    if (COUNTERS > STRIDE) {
      throw new AssertionError("more counters than fit a stripe");
    }
  }
}
