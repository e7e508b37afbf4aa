package dev.oms.event;

import dev.oms.internal.Require;
import java.util.List;

/**
 * Checkout accepted an order. Schema version 2: version 1 carried the total as two flat fields
 * ({@code totalMinor}, {@code currency}); {@code dev.oms.codec.OrderCreatedV1Upcaster} reads those.
 */
public record OrderCreated(
    EventMetadata metadata, Customer customer, List<OrderLine> lines, Money total, PaymentMethod payment)
    implements OrderEvent {

  public static final EventType<OrderCreated> TYPE = EventType.of("dev.oms.order.created", OrderCreated.class, 2);

  public OrderCreated {
    Require.nonNull(metadata, "metadata");
    Require.nonNull(customer, "customer");
    Require.check(lines != null && !lines.isEmpty(), "an order needs at least one line");
    lines = List.copyOf(lines);
    Require.nonNull(total, "total");
    Require.nonNull(payment, "payment");
  }

  @Override
  public EventType<OrderCreated> type() {
    return TYPE;
  }
}
