package dev.oms.event;

/**
 * Every event of the order pipeline. One immutable record per type; each carries its
 * {@link EventMetadata} and names its {@link EventType}.
 *
 * <p>Happy path, in order: {@link OrderCreated}, {@link StockReserved}, {@link OrderProcessed},
 * {@link ShipmentPrepared}, {@link ShipmentProcessed}, {@link OrderFulfilled}. Failure paths:
 * {@link OutOfStock}, {@link PaymentDeclined}, {@link OrderCancelled}, {@link RefundIssued},
 * {@link StockReleased}.
 */
public sealed interface OrderEvent
    permits OrderCreated,
        StockReserved,
        OutOfStock,
        PaymentDeclined,
        OrderProcessed,
        ShipmentPrepared,
        ShipmentProcessed,
        OrderFulfilled,
        OrderCancelled,
        RefundIssued,
        StockReleased {

  EventMetadata metadata();

  EventType<? extends OrderEvent> type();

  default String eventId() {
    return metadata().eventId();
  }

  default String orderId() {
    return metadata().orderId();
  }

  default int schemaVersion() {
    return type().version();
  }
}
