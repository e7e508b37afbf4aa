package dev.oms.port;

import dev.oms.event.Money;
import dev.oms.event.PaymentMethod;

/**
 * The payment provider. Charges are idempotent by {@code idempotencyKey}, as every serious
 * provider's API is: the order service passes the order id, so a redelivered event can never
 * charge a customer twice.
 */
public interface PaymentGateway {

  PaymentResult charge(String orderId, String idempotencyKey, Money amount, PaymentMethod method);

  /** Returns a captured charge in full. Idempotent per payment id. */
  void refund(String orderId, String paymentId, Money amount);
}
