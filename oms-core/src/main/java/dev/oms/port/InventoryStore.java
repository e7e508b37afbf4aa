package dev.oms.port;

import dev.oms.event.OrderLine;
import java.util.List;

/** Stock levels and per-order reservations. Implementations must never let available stock go negative. */
public interface InventoryStore {

  /**
   * Reserves every line of an order, all or nothing. Idempotent per order id: asking again returns
   * the first answer without reserving twice.
   */
  Reservation reserve(String orderId, List<OrderLine> lines);

  /**
   * Returns an order's reservation to available stock; the released lines, or none if nothing was
   * held. Events of different types may overtake each other on a broker, so a cancellation can
   * arrive before the order: then the order is remembered as cancelled and a later
   * {@link #reserve} answers {@link Reservation.Cancelled} without taking stock.
   */
  List<OrderLine> release(String orderId);

  /** Units of {@code sku} available to reserve. */
  long available(String sku);
}
