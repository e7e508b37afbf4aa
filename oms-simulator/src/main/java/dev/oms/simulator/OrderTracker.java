package dev.oms.simulator;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When each order was placed, by sequence number, and whether it has finished. One long per order
 * in chunks allocated as orders are placed, so looking an order up from a consumer thread is an
 * array read, with no map and no boxing.
 *
 * <p>The placing thread writes an order's start time before publishing the order; consumers read
 * it after receiving one of that order's events, which the broker hands over with a
 * happens-before edge, so the chunk and the value are always visible to them.
 */
final class OrderTracker {
  /** The slot value of an order that finished (or was never placed). */
  static final long DONE = Long.MIN_VALUE;

  private static final int CHUNK_BITS = 16;
  private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
  private static final int CHUNK_MASK = CHUNK_SIZE - 1;
  /** Up to 2^31 orders. */
  private static final int MAX_CHUNKS = 1 << (31 - CHUNK_BITS);

  private final AtomicLongArray[] chunks = new AtomicLongArray[MAX_CHUNKS];

  /** The largest sequence number this tracker can hold, plus one. */
  static long capacity() {
    return (long) MAX_CHUNKS * CHUNK_SIZE;
  }

  /** Records that order {@code seq} was placed at {@code nanos}; called by the one placing thread. */
  void started(long seq, long nanos) {
    int chunk = (int) (seq >>> CHUNK_BITS);
    AtomicLongArray values = chunks[chunk];
    if (values == null) {
      values = new AtomicLongArray(CHUNK_SIZE);
      chunks[chunk] = values;
    }
    values.set((int) (seq & CHUNK_MASK), nanos == DONE ? DONE + 1 : nanos);
  }

  /**
   * Marks order {@code seq} finished; returns its start time, or {@link #DONE} if it had already
   * finished (a duplicate) or is unknown.
   */
  long finish(long seq) {
    AtomicLongArray values = chunkOf(seq);
    return values == null ? DONE : values.getAndSet((int) (seq & CHUNK_MASK), DONE);
  }

  /** Whether order {@code seq} was placed and has not finished. */
  boolean pending(long seq) {
    AtomicLongArray values = chunkOf(seq);
    return values != null && values.get((int) (seq & CHUNK_MASK)) != DONE;
  }

  private AtomicLongArray chunkOf(long seq) {
    if (seq < 0 || seq >= capacity()) {
      return null;
    }
    return chunks[(int) (seq >>> CHUNK_BITS)];
  }
}
