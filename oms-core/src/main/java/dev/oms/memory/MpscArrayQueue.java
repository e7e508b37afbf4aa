package dev.oms.memory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded, lock-free queue for many producers and one consumer at a time (the algorithm of
 * JCTools' MpscArrayQueue, without the dependency). Producers claim a slot with one CAS; the
 * consumer needs no atomic read-modify-write at all. No allocation per element.
 */
final class MpscArrayQueue<E> {
  private final AtomicReferenceArray<E> buffer;
  private final int mask;
  private final int capacity;
  private final AtomicLong producerIndex = new AtomicLong();
  private final AtomicLong consumerIndex = new AtomicLong();

  MpscArrayQueue(int requestedCapacity) {
    int cap = 1;
    while (cap < requestedCapacity) {
      cap <<= 1;
    }
    this.capacity = cap;
    this.mask = cap - 1;
    this.buffer = new AtomicReferenceArray<>(cap);
  }

  /** Adds at the tail; false when full. */
  boolean offer(E element) {
    long slot = claim();
    if (slot < 0) {
      return false;
    }
    fill(slot, element);
    return true;
  }

  /**
   * Reserves the next slot at the tail, or returns -1 when full. The slot must then be filled
   * with {@link #fill}: until it is, the consumer waits at it (so fill promptly, without blocking).
   */
  long claim() {
    AtomicLong pIndex = producerIndex;
    while (true) {
      long p = pIndex.get();
      if (p - consumerIndex.get() >= capacity) {
        return -1;
      }
      if (pIndex.compareAndSet(p, p + 1)) {
        return p;
      }
    }
  }

  void fill(long slot, E element) {
    buffer.lazySet((int) slot & mask, element);
  }

  boolean hasRoom() {
    return producerIndex.get() - consumerIndex.get() < capacity;
  }

  /** Removes from the head; null when empty. Only one thread may poll at a time. */
  E poll() {
    long c = consumerIndex.get();
    int slot = (int) c & mask;
    E element = buffer.get(slot);
    if (element == null) {
      if (c == producerIndex.get()) {
        return null;
      }
      // A producer claimed the slot but has not written it yet: it is about to.
      int spins = 0;
      while ((element = buffer.get(slot)) == null) {
        if (++spins > 100) {
          Thread.yield();
        } else {
          Thread.onSpinWait();
        }
      }
    }
    buffer.lazySet(slot, null);
    consumerIndex.lazySet(c + 1);
    return element;
  }

  long size() {
    long c = consumerIndex.get();
    return Math.max(0, producerIndex.get() - c);
  }

  /** Elements ever added. */
  long offered() {
    return producerIndex.get();
  }

  boolean isEmpty() {
    return producerIndex.get() == consumerIndex.get();
  }

  int capacity() {
    return capacity;
  }
}
