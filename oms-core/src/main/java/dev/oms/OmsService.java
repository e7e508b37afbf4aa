package dev.oms;

import dev.oms.service.FulfillmentService;
import dev.oms.service.InventoryService;
import dev.oms.service.NotificationService;
import dev.oms.service.OrderService;
import dev.oms.service.OrderViewProjection;
import dev.oms.service.WarehouseService;

/** The services that subscribe to events, each one consumer group. Checkout only publishes. */
public enum OmsService {
  INVENTORY(InventoryService.GROUP),
  ORDER(OrderService.GROUP),
  FULFILLMENT(FulfillmentService.GROUP),
  WAREHOUSE(WarehouseService.GROUP),
  NOTIFICATION(NotificationService.GROUP),
  ORDER_VIEW(OrderViewProjection.GROUP);

  private final String group;

  OmsService(String group) {
    this.group = group;
  }

  /** The consumer group name the service subscribes as. */
  public String group() {
    return group;
  }
}
