package dev.oms.port;

import dev.oms.event.Money;
import dev.oms.event.PaymentMethod;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A payment provider in memory, with the provider's real semantics: captures are idempotent by
 * key, refunds by payment id. It keeps a ledger of captures and refunds per order so audits can
 * prove nobody was charged twice and every cancelled charge was refunded. By default tokens that
 * start with {@code "tok_decline"} are declined.
 */
public final class InMemoryPaymentGateway implements PaymentGateway {
  private final Predicate<PaymentMethod> declines;
  private final Map<String, PaymentResult> byIdempotencyKey = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> capturesByOrder = new ConcurrentHashMap<>();
  private final Map<String, String> refundsByPayment = new ConcurrentHashMap<>();
  private final java.util.Set<String> refundedOrders = ConcurrentHashMap.newKeySet();
  private final Map<String, String> paymentOrder = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  public InMemoryPaymentGateway() {
    this(method -> method.token().startsWith("tok_decline"));
  }

  /** A gateway that declines the payment methods {@code declines} accepts. */
  public InMemoryPaymentGateway(Predicate<PaymentMethod> declines) {
    this.declines = declines;
  }

  @Override
  public PaymentResult charge(String orderId, String idempotencyKey, Money amount, PaymentMethod method) {
    return byIdempotencyKey.computeIfAbsent(idempotencyKey, key -> {
      if (declines.test(method)) {
        return new PaymentResult.Declined("card_declined");
      }
      String paymentId = "pay-" + sequence.incrementAndGet();
      paymentOrder.put(paymentId, orderId);
      capturesByOrder.computeIfAbsent(orderId, o -> new AtomicInteger()).incrementAndGet();
      return new PaymentResult.Approved(paymentId);
    });
  }

  @Override
  public void refund(String orderId, String paymentId, Money amount) {
    if (!orderId.equals(paymentOrder.get(paymentId))) {
      throw new IllegalArgumentException("payment " + paymentId + " does not belong to order " + orderId);
    }
    if (refundsByPayment.putIfAbsent(paymentId, orderId) == null) {
      refundedOrders.add(orderId);
    }
  }

  /** How many separate captures the order has (more than one is a double charge). */
  public int captures(String orderId) {
    AtomicInteger n = capturesByOrder.get(orderId);
    return n == null ? 0 : n.get();
  }

  /** Whether the order's capture was refunded. */
  public boolean refunded(String orderId) {
    return refundedOrders.contains(orderId);
  }

  /** Orders with at least one capture, and how many captures each. */
  public Map<String, Integer> capturesByOrder() {
    Map<String, Integer> copy = new java.util.HashMap<>();
    capturesByOrder.forEach((order, n) -> copy.put(order, n.get()));
    return copy;
  }

  /** Orders whose capture was refunded. */
  public java.util.Set<String> refundedOrders() {
    return java.util.Set.copyOf(refundedOrders);
  }
}
