package dev.oms.event;

import dev.oms.internal.Require;

/** The payment provider declined the charge; {@code reason} is the provider's short code. */
public record PaymentDeclined(EventMetadata metadata, String reason) implements OrderEvent {

  public static final EventType<PaymentDeclined> TYPE =
      EventType.of("dev.oms.payment.declined", PaymentDeclined.class, 1);

  public PaymentDeclined {
    Require.nonNull(metadata, "metadata");
    Require.nonBlank(reason, "decline reason");
  }

  @Override
  public EventType<PaymentDeclined> type() {
    return TYPE;
  }
}
