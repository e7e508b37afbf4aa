package dev.oms.service;

import dev.oms.broker.EventContext;
import dev.oms.broker.EventHandlers;
import dev.oms.event.OrderFulfilled;
import dev.oms.event.OrderProcessed;
import dev.oms.event.ShipmentPrepared;
import dev.oms.event.ShipmentProcessed;

/** Turns a processed order into a shipment request, and a shipped shipment into a fulfilled order. */
public final class FulfillmentService {
  public static final String GROUP = "fulfillment";

  public EventHandlers handlers() {
    return EventHandlers.builder()
        .on(OrderProcessed.TYPE, this::onOrderProcessed)
        .on(ShipmentProcessed.TYPE, this::onShipmentProcessed)
        .build();
  }

  /** One shipment per order; its id derives from the order id so a redelivery asks for the same shipment. */
  static String shipmentIdOf(String orderId) {
    return "shp-" + orderId;
  }

  void onOrderProcessed(OrderProcessed order, EventContext ctx) {
    ctx.publish(new ShipmentPrepared(ctx.followOn(), shipmentIdOf(order.orderId()), order.lines(),
        order.shipTo()));
  }

  void onShipmentProcessed(ShipmentProcessed shipment, EventContext ctx) {
    ctx.publish(new OrderFulfilled(ctx.followOn(), shipment.shipmentId(), shipment.trackingNumber()));
  }
}
