package dev.oms.event;

import dev.oms.internal.Require;

/** The warehouse packed the shipment and handed it to the carrier. */
public record ShipmentProcessed(EventMetadata metadata, String shipmentId, String trackingNumber)
    implements OrderEvent {

  public static final EventType<ShipmentProcessed> TYPE =
      EventType.of("dev.oms.shipment.processed", ShipmentProcessed.class, 1);

  public ShipmentProcessed {
    Require.nonNull(metadata, "metadata");
    Require.nonBlank(shipmentId, "shipmentId");
    Require.nonBlank(trackingNumber, "trackingNumber");
  }

  @Override
  public EventType<ShipmentProcessed> type() {
    return TYPE;
  }
}
