package dev.oms.simulator;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Per order, by sequence number: when it was meant to start (its intended arrival time, or when it
 * was actually issued if that was earlier) and whether it has finished. Chunked arrays allocated as
 * orders arrive, so a consumer thread looks an order up with two array reads, no map, no boxing.
 *
 * <p>The arrival thread writes an order's start before publishing the order; consumers read it
 * after receiving one of that order's events, which the broker hands over with a happens-before
 * edge, so the chunk and the value are always visible to them.
 */
final class OrderTracker {
  /** What {@link #finish} returns for an order that had already finished (or was never placed). */
  static final long DONE = Long.MIN_VALUE;

  private static final int CHUNK_BITS = 16;
  private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
  private static final int CHUNK_MASK = CHUNK_SIZE - 1;
  /** Up to 2^31 orders. */
  private static final int MAX_CHUNKS = 1 << (31 - CHUNK_BITS);

  private final long[][] starts = new long[MAX_CHUNKS][];
  private final AtomicIntegerArray[] states = new AtomicIntegerArray[MAX_CHUNKS];

  private static final int PENDING = 1;
  private static final int FINISHED = 2;

  /** The largest sequence number this tracker can hold, plus one. */
  static long capacity() {
    return (long) MAX_CHUNKS * CHUNK_SIZE;
  }

  /** Records that order {@code seq} started at {@code nanos}; called by the one arrival thread. */
  void started(long seq, long nanos) {
    int chunk = (int) (seq >>> CHUNK_BITS);
    if (starts[chunk] == null) {
      starts[chunk] = new long[CHUNK_SIZE];
      states[chunk] = new AtomicIntegerArray(CHUNK_SIZE);
    }
    starts[chunk][(int) (seq & CHUNK_MASK)] = nanos;
    states[chunk].set((int) (seq & CHUNK_MASK), PENDING); // volatile write publishes the start time
  }

  /** When order {@code seq} started, or {@link #DONE} if it is unknown; finished orders keep their start. */
  long start(long seq) {
    if (seq < 0 || seq >= capacity()) {
      return DONE;
    }
    int chunk = (int) (seq >>> CHUNK_BITS);
    AtomicIntegerArray s = states[chunk];
    if (s == null || s.get((int) (seq & CHUNK_MASK)) == 0) {
      return DONE;
    }
    return starts[chunk][(int) (seq & CHUNK_MASK)];
  }

  /**
   * Marks order {@code seq} finished; returns its start time, or {@link #DONE} if it had already
   * finished (a duplicate) or is unknown.
   */
  long finish(long seq) {
    if (seq < 0 || seq >= capacity()) {
      return DONE;
    }
    int chunk = (int) (seq >>> CHUNK_BITS);
    AtomicIntegerArray s = states[chunk];
    int i = (int) (seq & CHUNK_MASK);
    if (s == null || !s.compareAndSet(i, PENDING, FINISHED)) {
      return DONE;
    }
    return starts[chunk][i];
  }

  /** Whether order {@code seq} was placed and has not finished. */
  boolean pending(long seq) {
    if (seq < 0 || seq >= capacity()) {
      return false;
    }
    AtomicIntegerArray s = states[(int) (seq >>> CHUNK_BITS)];
    return s != null && s.get((int) (seq & CHUNK_MASK)) == PENDING;
  }
}
