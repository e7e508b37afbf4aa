package dev.oms.service;

import dev.oms.broker.EventContext;
import dev.oms.broker.EventHandlers;
import dev.oms.event.ShipmentPrepared;
import dev.oms.event.ShipmentProcessed;
import dev.oms.port.Warehouse;

/** Packs prepared shipments through the {@link Warehouse} port. */
public final class WarehouseService {
  public static final String GROUP = "warehouse";

  private final Warehouse warehouse;

  public WarehouseService(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  public EventHandlers handlers() {
    return EventHandlers.builder().on(ShipmentPrepared.TYPE, this::onShipmentPrepared).build();
  }

  void onShipmentPrepared(ShipmentPrepared shipment, EventContext ctx) throws Exception {
    String tracking = warehouse.pack(shipment.shipmentId(), shipment.lines(), shipment.shipTo());
    ctx.publish(new ShipmentProcessed(ctx.followOn(), shipment.shipmentId(), tracking));
  }
}
