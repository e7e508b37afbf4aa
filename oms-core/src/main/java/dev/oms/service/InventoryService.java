package dev.oms.service;

import dev.oms.broker.EventContext;
import dev.oms.broker.EventHandlers;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderLine;
import dev.oms.event.OutOfStock;
import dev.oms.event.StockReleased;
import dev.oms.event.StockReserved;
import dev.oms.port.InventoryStore;
import dev.oms.port.Reservation;
import java.util.List;

/**
 * Reserves stock for every new order (all lines or none) and gives it back when an order is
 * cancelled. Never oversells: the store only decrements while units remain.
 */
public final class InventoryService {
  public static final String GROUP = "inventory";

  private final InventoryStore store;

  public InventoryService(InventoryStore store) {
    this.store = store;
  }

  public EventHandlers handlers() {
    return EventHandlers.builder()
        .on(OrderCreated.TYPE, this::onOrderCreated)
        .on(OrderCancelled.TYPE, this::onOrderCancelled)
        .build();
  }

  void onOrderCreated(OrderCreated order, EventContext ctx) {
    Reservation reservation = store.reserve(order.orderId(), order.lines());
    if (reservation instanceof Reservation.Reserved reserved) {
      ctx.publish(new StockReserved(ctx.followOn(), reserved.lines()));
    } else if (reservation instanceof Reservation.Rejected rejected) {
      ctx.publish(new OutOfStock(ctx.followOn(), rejected.sku(), rejected.requested(),
          rejected.available()));
    }
    // Cancelled before it got here (a decline overtook the order): nothing to reserve or answer.
  }

  void onOrderCancelled(OrderCancelled cancelled, EventContext ctx) {
    List<OrderLine> released = store.release(cancelled.orderId());
    if (!released.isEmpty()) {
      ctx.publish(new StockReleased(ctx.followOn(), released));
    }
  }
}
