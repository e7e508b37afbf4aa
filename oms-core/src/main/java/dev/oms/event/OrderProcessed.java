package dev.oms.event;

import dev.oms.internal.Require;
import java.util.List;

/**
 * The order is paid and its stock reserved: fulfillment may start. Carries what fulfillment needs
 * so no service has to call another.
 */
public record OrderProcessed(
    EventMetadata metadata, String paymentId, Money amount, List<OrderLine> lines, Address shipTo)
    implements OrderEvent {

  public static final EventType<OrderProcessed> TYPE =
      EventType.of("dev.oms.order.processed", OrderProcessed.class, 1);

  public OrderProcessed {
    Require.nonNull(metadata, "metadata");
    Require.nonBlank(paymentId, "paymentId");
    Require.nonNull(amount, "amount");
    Require.check(lines != null && !lines.isEmpty(), "a processed order needs at least one line");
    lines = List.copyOf(lines);
    Require.nonNull(shipTo, "shipTo");
  }

  @Override
  public EventType<OrderProcessed> type() {
    return TYPE;
  }
}
