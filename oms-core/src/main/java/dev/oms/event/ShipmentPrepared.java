package dev.oms.event;

import dev.oms.internal.Require;
import java.util.List;

/** Fulfillment asked the warehouse to pack and ship these lines. */
public record ShipmentPrepared(EventMetadata metadata, String shipmentId, List<OrderLine> lines, Address shipTo)
    implements OrderEvent {

  public static final EventType<ShipmentPrepared> TYPE =
      EventType.of("dev.oms.shipment.prepared", ShipmentPrepared.class, 1);

  public ShipmentPrepared {
    Require.nonNull(metadata, "metadata");
    Require.nonBlank(shipmentId, "shipmentId");
    Require.check(lines != null && !lines.isEmpty(), "a shipment needs at least one line");
    lines = List.copyOf(lines);
    Require.nonNull(shipTo, "shipTo");
  }

  @Override
  public EventType<ShipmentPrepared> type() {
    return TYPE;
  }
}
