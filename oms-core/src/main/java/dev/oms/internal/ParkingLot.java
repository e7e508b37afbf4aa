package dev.oms.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The orders of one consumer group that are blocked behind a dead letter, and the ids of the
 * records parked behind it, in arrival order. While no order is blocked (the normal case) a
 * lookup costs one volatile read.
 */
final class ParkingLot {

  /** One blocked order. Guarded by its own monitor; only touched on the failure path. */
  static final class Blocked {
    String headId;
    final ArrayDeque<String> waiting = new ArrayDeque<>();
    boolean released;

    Blocked(String headId) {
      this.headId = headId;
    }
  }

  private final ConcurrentHashMap<String, Blocked> byKey = new ConcurrentHashMap<>();
  private final AtomicInteger blockedKeys = new AtomicInteger();
  private final AtomicLong parked = new AtomicLong();

  /** The block on {@code key}, or null; cheap when nothing is blocked. */
  Blocked blockOf(String key) {
    if (key == null || blockedKeys.get() == 0) {
      return null;
    }
    return byKey.get(key);
  }

  /** Blocks {@code key} behind dead letter {@code headId} (no-op for a null key). */
  void block(String key, String headId) {
    if (key == null) {
      return;
    }
    byKey.compute(key, (k, existing) -> {
      if (existing == null || existing.released) {
        blockedKeys.incrementAndGet();
        return new Blocked(headId);
      }
      return existing;
    });
  }

  /** Adds a parked record id under the block's monitor; false if the block was released meanwhile. */
  boolean park(Blocked block, String parkedId) {
    synchronized (block) {
      if (block.released) {
        return false;
      }
      block.waiting.add(parkedId);
      parked.incrementAndGet();
      return true;
    }
  }

  /** The next parked id of {@code key}, or null after releasing the block when none is left. */
  String nextOrRelease(String key) {
    Blocked block = byKey.get(key);
    if (block == null) {
      return null;
    }
    synchronized (block) {
      String next = block.waiting.peek();
      if (next == null) {
        block.released = true;
        byKey.remove(key, block);
        blockedKeys.decrementAndGet();
      }
      return next;
    }
  }

  /** Drops a parked id that was handled or discarded. */
  void unpark(String key, String parkedId) {
    Blocked block = byKey.get(key);
    if (block == null) {
      return;
    }
    synchronized (block) {
      if (block.waiting.remove(parkedId)) {
        parked.decrementAndGet();
      }
    }
  }

  /** Makes a parked record the new head of its order; returns the ids still waiting behind it. */
  List<String> promote(String key, String parkedId) {
    Blocked block = byKey.get(key);
    if (block == null) {
      return List.of();
    }
    synchronized (block) {
      if (block.waiting.remove(parkedId)) {
        parked.decrementAndGet();
      }
      block.headId = parkedId;
      return new ArrayList<>(block.waiting);
    }
  }

  long parkedCount() {
    return parked.get();
  }
}
