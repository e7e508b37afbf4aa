package dev.oms.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last {@code capacity} handled event ids of one consumer group. Lock-free: a concurrent set
 * for lookups and a ring that evicts the oldest id once full, so memory stays bounded.
 */
public final class DedupWindow {
  private final Set<String> seen;
  private final AtomicReferenceArray<String> ring;
  private final AtomicLong cursor = new AtomicLong();
  private final int capacity;

  public DedupWindow(int capacity) {
    this.capacity = capacity;
    this.seen = ConcurrentHashMap.newKeySet(Math.min(capacity, 1 << 16));
    this.ring = new AtomicReferenceArray<>(capacity);
  }

  public boolean contains(String eventId) {
    return seen.contains(eventId);
  }

  /** Remembers an id; the oldest one is forgotten when the window is full. */
  public void add(String eventId) {
    if (seen.add(eventId)) {
      int slot = (int) (cursor.getAndIncrement() % capacity);
      String evicted = ring.getAndSet(slot, eventId);
      if (evicted != null) {
        seen.remove(evicted);
      }
    }
  }

  public int size() {
    return seen.size();
  }
}
