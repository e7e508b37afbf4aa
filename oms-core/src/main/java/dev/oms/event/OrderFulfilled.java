package dev.oms.event;

import dev.oms.internal.Require;

/** The order is complete: paid, packed and shipped. A terminal event. */
public record OrderFulfilled(EventMetadata metadata, String shipmentId, String trackingNumber)
    implements OrderEvent {

  public static final EventType<OrderFulfilled> TYPE =
      EventType.of("dev.oms.order.fulfilled", OrderFulfilled.class, 1);

  public OrderFulfilled {
    Require.nonNull(metadata, "metadata");
    Require.nonBlank(shipmentId, "shipmentId");
    Require.nonBlank(trackingNumber, "trackingNumber");
  }

  @Override
  public EventType<OrderFulfilled> type() {
    return TYPE;
  }
}
