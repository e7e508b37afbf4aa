package dev.oms.runtime;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One record of an order at a time per group. An order whose record is still in progress (waiting
 * for acknowledgements, a retry timer or a blocking handler) holds the gate; its next records wait
 * here, in arrival order, and start when it settles, while other orders go on.
 *
 * <p>An order enters the map only when its record goes asynchronous: a record that settles on the
 * delivering thread (every in-memory delivery that neither retries nor blocks) never touches it.
 * That is safe because an adapter delivers the records of one key one call at a time: the record
 * that went asynchronous registered its order before its {@code deliver} returned.
 */
final class KeyGate {
  private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();
  /** Orders held right now: read first, so a delivery finds a free gate with one volatile read. */
  private final java.util.concurrent.atomic.AtomicInteger holding = new java.util.concurrent.atomic.AtomicInteger();

  /** The deliveries of one order waiting behind the one in progress. Guarded by its own monitor. */
  static final class Held {
    final ArrayDeque<Delivery> waiting = new ArrayDeque<>(2);
    boolean open; // released: a delivery that found it must look again
  }

  /**
   * Queues {@code delivery} behind its order's delivery in progress and returns true, or returns
   * false when the order is free (the caller runs the delivery now).
   */
  boolean queueIfHeld(String key, Delivery delivery) {
    while (true) {
      if (holding.get() == 0) {
        return false;
      }
      Held h = held.get(key);
      if (h == null) {
        return false;
      }
      synchronized (h) {
        if (!h.open) {
          h.waiting.add(delivery);
          return true;
        }
      }
      // released while we looked: look again
    }
  }

  /** The in-progress delivery of {@code key} goes asynchronous: later deliveries of the key wait. */
  void hold(String key) {
    if (held.putIfAbsent(key, new Held()) == null) {
      holding.incrementAndGet();
    }
  }

  /**
   * The delivery in progress of {@code key} settled: returns the next waiting delivery (which now
   * holds the gate), or null after opening the gate.
   */
  Delivery release(String key) {
    Held h = held.get(key);
    if (h == null) {
      return null;
    }
    synchronized (h) {
      Delivery next = h.waiting.poll();
      if (next == null) {
        h.open = true;
        if (held.remove(key, h)) {
          holding.decrementAndGet();
        }
      }
      return next;
    }
  }

  /** Orders held right now (for metrics and tests). */
  int heldKeys() {
    return held.size();
  }
}
