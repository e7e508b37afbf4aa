package dev.oms.port;

import dev.oms.event.OrderLine;
import dev.oms.internal.Require;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stock in memory. Each SKU's level is one atomic counter decremented by compare-and-set only
 * while enough units remain, so concurrent orders for the last unit can never oversell. A
 * multi-line order that fails on a later line gives back the lines it already took.
 * Unknown SKUs have no stock.
 */
public final class InMemoryInventory implements InventoryStore {
  private final Map<String, AtomicLong> stock = new ConcurrentHashMap<>();
  private final Map<String, Long> initial = new ConcurrentHashMap<>();
  private final Map<String, Reservation> byOrder = new ConcurrentHashMap<>();

  /** Sets (or adds) stock for a SKU. */
  public InMemoryInventory stock(String sku, long units) {
    Require.nonBlank(sku, "sku");
    Require.check(units >= 0, "stock must not be negative, was " + units + " for " + sku);
    stock.computeIfAbsent(sku, s -> new AtomicLong()).addAndGet(units);
    initial.merge(sku, units, Long::sum);
    return this;
  }

  @Override
  public Reservation reserve(String orderId, List<OrderLine> lines) {
    Reservation previous = byOrder.get(orderId);
    if (previous != null) {
      return previous;
    }
    for (int i = 0; i < lines.size(); i++) {
      OrderLine line = lines.get(i);
      AtomicLong level = stock.get(line.sku());
      long left = level == null ? -1 : take(level, line.quantity()); // unknown SKU: none available
      if (left < 0) {
        for (int j = 0; j < i; j++) {
          stock.get(lines.get(j).sku()).addAndGet(lines.get(j).quantity());
        }
        Reservation rejected = new Reservation.Rejected(line.sku(), line.quantity(), -left - 1);
        Reservation raced = byOrder.putIfAbsent(orderId, rejected);
        return raced != null ? raced : rejected;
      }
    }
    Reservation reserved = new Reservation.Reserved(lines);
    Reservation raced = byOrder.putIfAbsent(orderId, reserved);
    if (raced != null) { // the same order reserved twice at once: give this copy back
      give(lines);
      return raced;
    }
    return reserved;
  }

  /** Takes {@code quantity} units; returns what is left, or -(available + 1) when short. */
  private static long take(AtomicLong level, int quantity) {
    while (true) {
      long available = level.get();
      if (available < quantity) {
        return -available - 1;
      }
      if (level.compareAndSet(available, available - quantity)) {
        return available - quantity;
      }
    }
  }

  private void give(List<OrderLine> lines) {
    for (OrderLine line : lines) {
      stock.get(line.sku()).addAndGet(line.quantity());
    }
  }

  @Override
  public List<OrderLine> release(String orderId) {
    Reservation held = byOrder.putIfAbsent(orderId, CANCELLED);
    if (held instanceof Reservation.Reserved reserved && byOrder.replace(orderId, held, CANCELLED)) {
      give(reserved.lines());
      return reserved.lines();
    }
    return List.of();
  }

  private static final Reservation CANCELLED = new Reservation.Cancelled();

  @Override
  public long available(String sku) {
    AtomicLong level = stock.get(sku);
    return level == null ? 0 : level.get();
  }

  /** The stock each SKU started with (the sum of every {@link #stock} call). */
  public Map<String, Long> initialStock() {
    return new HashMap<>(initial);
  }

  /** Units currently held by reservations, per SKU. */
  public Map<String, Long> reservedUnits() {
    Map<String, Long> held = new HashMap<>();
    for (Reservation r : byOrder.values()) {
      if (r instanceof Reservation.Reserved reserved) {
        for (OrderLine line : reserved.lines()) {
          held.merge(line.sku(), (long) line.quantity(), Long::sum);
        }
      }
    }
    return held;
  }

  /** Whether the order currently holds a reservation. */
  public boolean holdsReservation(String orderId) {
    return byOrder.get(orderId) instanceof Reservation.Reserved;
  }
}
