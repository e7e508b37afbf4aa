package dev.oms.port;

/** The answer of {@link PaymentGateway#charge}. */
public sealed interface PaymentResult {

  /** The money was captured under {@code paymentId}. */
  record Approved(String paymentId) implements PaymentResult {}

  /** The provider refused; {@code reason} is its short code (never card data). */
  record Declined(String reason) implements PaymentResult {}
}
