package dev.oms.event;

import dev.oms.internal.Require;

/** The order will not be fulfilled. A terminal event; inventory releases any reservation. */
public record OrderCancelled(EventMetadata metadata, CancellationReason reason, String detail)
    implements OrderEvent {

  public static final EventType<OrderCancelled> TYPE =
      EventType.of("dev.oms.order.cancelled", OrderCancelled.class, 1);

  public OrderCancelled {
    Require.nonNull(metadata, "metadata");
    Require.nonNull(reason, "cancellation reason");
    detail = detail == null ? "" : detail;
  }

  @Override
  public EventType<OrderCancelled> type() {
    return TYPE;
  }
}
