package dev.oms.simulator;

import java.util.concurrent.atomic.AtomicLongArray;

/** A concurrent set of order sequence numbers (one bit each, chunked), for "seen this order before". */
final class SeqBits {
  private static final int CHUNK_BITS = 20;
  private final AtomicLongArray[] chunks = new AtomicLongArray[1 << (31 - CHUNK_BITS)];

  /** Adds {@code seq}; true if it was not in the set. */
  boolean add(long seq) {
    if (seq < 0 || seq >= (1L << 31)) {
      return true;
    }
    int c = (int) (seq >>> CHUNK_BITS);
    AtomicLongArray bits = chunks[c];
    if (bits == null) {
      synchronized (this) {
        bits = chunks[c];
        if (bits == null) {
          bits = new AtomicLongArray(1 << (CHUNK_BITS - 6));
          chunks[c] = bits;
        }
      }
    }
    int bit = (int) (seq & ((1 << CHUNK_BITS) - 1));
    long mask = 1L << (bit & 63);
    while (true) {
      long word = bits.get(bit >>> 6);
      if ((word & mask) != 0) {
        return false;
      }
      if (bits.compareAndSet(bit >>> 6, word, word | mask)) {
        return true;
      }
    }
  }
}
