package dev.oms.bench;

import dev.oms.broker.DeliveryPolicy;
import dev.oms.event.Address;
import dev.oms.event.Customer;
import dev.oms.event.EventIds;
import dev.oms.event.EventMetadata;
import dev.oms.event.Money;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderFulfilled;
import dev.oms.event.OrderLine;
import dev.oms.event.PaymentDeclined;
import dev.oms.event.PaymentMethod;
import dev.oms.event.ShipmentProcessed;
import dev.oms.service.PlaceOrder;
import java.time.Instant;
import java.util.List;

/**
 * The events and orders every benchmark uses, so each implementation handles the same objects and
 * does the same handler work.
 */
public final class Fixtures {
  private Fixtures() {}

  public static final String SKU = "SKU-BENCH-1";
  public static final Customer CUSTOMER =
      new Customer("cust-bench", "jane.doe@example.com", new Address("1 Infinite Loop", "Cupertino", "95014", "US"));
  public static final List<OrderLine> LINES = List.of(new OrderLine(SKU, 1, Money.of(1_999, "USD")));
  public static final PaymentMethod PAYMENT = new PaymentMethod("tok_visa_ok");
  /** One request placed again and again: checkout gives every placement a new order id. */
  public static final PlaceOrder ORDER = PlaceOrder.of(CUSTOMER, LINES, PAYMENT);

  /**
   * The delivery policy of every OMS consumer group: the default, unless the system property
   * {@code oms.bench.dedup=false} turns deduplication off to measure what it costs.
   */
  public static DeliveryPolicy policy() {
    String dedup = System.getProperty("oms.bench.dedup");
    return dedup == null ? DeliveryPolicy.ofDefaults() : DeliveryPolicy.builder().deduplicate(Boolean.parseBoolean(dedup)).build();
  }

  // ---- the broker-hop events ----

  private static final int ORDER_IDS = 1 << 14;
  private static final String[] ORDER_ID_POOL = new String[ORDER_IDS];
  private static final Instant AT = Instant.parse("2026-11-27T09:00:00Z");
  private static final String TRACEPARENT = EventIds.newTraceparent();
  private static final String SHIPMENT = "shp-bench";
  private static final String TRACKING = "TRK-bench";
  static final String DECLINE_REASON = "card_declined";

  static {
    for (int i = 0; i < ORDER_IDS; i++) {
      ORDER_ID_POOL[i] = "order-" + i;
    }
  }

  /**
   * A new event for a broker hop: a fresh event id every time (deduplication must never see a
   * repeat), one of 16,384 order ids (the ordering key).
   */
  public static ShipmentProcessed hopEvent(long seq) {
    String id = Long.toString(seq);
    EventMetadata m = new EventMetadata(id, ORDER_ID_POOL[(int) seq & (ORDER_IDS - 1)], AT, id, id, TRACEPARENT);
    return new ShipmentProcessed(m, SHIPMENT, TRACKING);
  }

  /**
   * The metadata OMS gives a follow-on event ({@code EventContext.followOn()}): same order,
   * correlation and trace, caused by {@code cause}, an id derived from the cause and the group.
   */
  public static EventMetadata followOn(OrderEvent cause, String group, int ordinal) {
    return EventMetadata.causedBy(cause, EventIds.derivedEventId(cause.eventId(), group, ordinal));
  }

  /** Pipeline stage 1 of the hop benchmark. */
  public static OrderFulfilled stage1(ShipmentProcessed in, EventMetadata m) {
    return new OrderFulfilled(m, in.shipmentId(), in.trackingNumber());
  }

  /** Pipeline stage 2 of the hop benchmark. */
  public static PaymentDeclined stage2(OrderFulfilled in, EventMetadata m) {
    return new PaymentDeclined(m, DECLINE_REASON);
  }

  // ---- the order pipeline ----

  /**
   * The {@link OrderCreated} checkout publishes for {@code request}: what
   * {@code CheckoutService.placeOrder} builds (validated lines, total, a new order id, new trace),
   * for the baselines that have no checkout service of their own.
   */
  public static OrderCreated orderCreated(PlaceOrder request) {
    Money total = null;
    for (OrderLine line : request.lines()) {
      total = total == null ? line.lineTotal() : total.plus(line.lineTotal());
    }
    String orderId = EventIds.newEventId();
    return new OrderCreated(EventMetadata.first(orderId, request.traceparent()), request.customer(),
        request.lines(), total, request.payment());
  }
}
