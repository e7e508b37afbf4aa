package dev.oms.bench;

import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderFulfilled;
import dev.oms.event.OrderProcessed;
import dev.oms.event.OutOfStock;
import dev.oms.event.PaymentDeclined;
import dev.oms.event.RefundIssued;
import dev.oms.event.ShipmentPrepared;
import dev.oms.event.ShipmentProcessed;
import dev.oms.event.StockReleased;
import dev.oms.event.StockReserved;
import dev.oms.service.FulfillmentService;
import dev.oms.service.InventoryService;
import dev.oms.service.NotificationService;
import dev.oms.service.OrderService;
import dev.oms.service.OrderViewProjection;
import dev.oms.service.WarehouseService;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The consumer groups of a simulator run on Kafka and the event types each one handles, and which
 * group produces each event type: the shape of OMS's record flow, without its logic.
 */
final class FlowGroups {
  /** The simulator's own group that watches orders finish ({@code SimulationRun.PROBE_GROUP}). */
  static final String PROBE = "simulator-probe";
  /** Checkout publishes {@code OrderCreated}; it is no consumer group. */
  static final String CHECKOUT = "checkout";

  /**
   * Who publishes each type, from the services' handlers (dev.oms.service): inventory answers
   * OrderCreated and releases on OrderCancelled; order (payment) declines, settles, refunds and
   * cancels; fulfillment prepares and fulfills; warehouse packs.
   */
  private static final Map<String, String> PRODUCERS = Map.ofEntries(
      Map.entry(OrderCreated.TYPE.name(), CHECKOUT),
      Map.entry(StockReserved.TYPE.name(), InventoryService.GROUP),
      Map.entry(OutOfStock.TYPE.name(), InventoryService.GROUP),
      Map.entry(StockReleased.TYPE.name(), InventoryService.GROUP),
      Map.entry(OrderProcessed.TYPE.name(), OrderService.GROUP),
      Map.entry(PaymentDeclined.TYPE.name(), OrderService.GROUP),
      Map.entry(RefundIssued.TYPE.name(), OrderService.GROUP),
      Map.entry(OrderCancelled.TYPE.name(), OrderService.GROUP),
      Map.entry(ShipmentPrepared.TYPE.name(), FulfillmentService.GROUP),
      Map.entry(OrderFulfilled.TYPE.name(), FulfillmentService.GROUP),
      Map.entry(ShipmentProcessed.TYPE.name(), WarehouseService.GROUP));

  private FlowGroups() {}

  /**
   * Group name to the types it subscribes, in the simulator's order: the six services (their
   * handler tables, taken from the services themselves; the ports are never called) and the probe.
   */
  static Map<String, Set<String>> subscriptions() {
    Map<String, Set<String>> groups = new LinkedHashMap<>();
    groups.put(InventoryService.GROUP, sorted(new InventoryService(null).handlers().types()));
    groups.put(OrderService.GROUP, sorted(new OrderService(null, null).handlers().types()));
    groups.put(FulfillmentService.GROUP, sorted(new FulfillmentService().handlers().types()));
    groups.put(WarehouseService.GROUP, sorted(new WarehouseService(null).handlers().types()));
    groups.put(NotificationService.GROUP, sorted(new NotificationService(null).handlers().types()));
    groups.put(OrderViewProjection.GROUP, sorted(new OrderViewProjection(null).handlers().types()));
    groups.put(PROBE, sorted(Set.of(OrderFulfilled.TYPE.name(), OrderCancelled.TYPE.name())));
    return groups;
  }

  /** The group that publishes events of {@code type}. */
  static String producerOf(String type) {
    String group = PRODUCERS.get(type);
    if (group == null) {
      throw new IllegalArgumentException("no known producer of event type " + type);
    }
    return group;
  }

  private static Set<String> sorted(Set<String> types) {
    return new TreeSet<>(types);
  }
}
