package dev.oms.event;

import dev.oms.internal.Require;

/** A charge was returned to the customer because the order was cancelled after payment. */
public record RefundIssued(EventMetadata metadata, String paymentId, Money amount) implements OrderEvent {

  public static final EventType<RefundIssued> TYPE = EventType.of("dev.oms.payment.refunded", RefundIssued.class, 1);

  public RefundIssued {
    Require.nonNull(metadata, "metadata");
    Require.nonBlank(paymentId, "paymentId");
    Require.nonNull(amount, "amount");
  }

  @Override
  public EventType<RefundIssued> type() {
    return TYPE;
  }
}
