package dev.oms.event;

import java.util.List;

/** The event types OMS itself defines, in pipeline order. */
public final class EventTypes {
  private EventTypes() {}

  public static final List<EventType<? extends OrderEvent>> ALL =
      List.of(
          OrderCreated.TYPE,
          StockReserved.TYPE,
          OutOfStock.TYPE,
          PaymentDeclined.TYPE,
          OrderProcessed.TYPE,
          ShipmentPrepared.TYPE,
          ShipmentProcessed.TYPE,
          OrderFulfilled.TYPE,
          OrderCancelled.TYPE,
          RefundIssued.TYPE,
          StockReleased.TYPE);

  /** True for the types that end an order: {@link OrderFulfilled} and {@link OrderCancelled}. */
  public static boolean isTerminal(EventType<?> type) {
    return type == OrderFulfilled.TYPE || type == OrderCancelled.TYPE;
  }
}
