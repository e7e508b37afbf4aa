package dev.oms.port;

import dev.oms.event.Address;
import dev.oms.event.Money;
import dev.oms.event.OrderLine;
import java.util.List;

/**
 * The order service's memory of one order between the two answers it joins: the payment outcome
 * (known once it handled {@code OrderCreated}) and the stock outcome (known once inventory's answer
 * arrived). The two can arrive in either order on any broker, so each half may be known alone.
 *
 * @param payment the payment half
 * @param paymentId the captured payment, when {@code payment} is {@link Payment#CAPTURED}
 * @param stock the inventory half
 * @param stockDetail the SKU that was short, when {@code stock} is {@link Stock#OUT_OF_STOCK}
 */
public record PaymentRecord(
    Payment payment, String paymentId, Money amount, List<OrderLine> lines, Address shipTo, Stock stock,
    String stockDetail) {

  /** What the order service knows about the payment. */
  public enum Payment { UNKNOWN, CAPTURED, DECLINED }

  /** What the order service knows about the reservation. */
  public enum Stock { UNKNOWN, RESERVED, OUT_OF_STOCK }

  /** Nothing known yet: the start of every order's record. */
  public static final PaymentRecord UNKNOWN =
      new PaymentRecord(Payment.UNKNOWN, null, null, null, null, Stock.UNKNOWN, null);

  public PaymentRecord withStock(Stock stock, String stockDetail) {
    return new PaymentRecord(payment, paymentId, amount, lines, shipTo, stock, stockDetail);
  }

  public PaymentRecord withPayment(Payment payment, String paymentId, Money amount, List<OrderLine> lines,
      Address shipTo) {
    return new PaymentRecord(payment, paymentId, amount, lines, shipTo, stock, stockDetail);
  }

  public boolean complete() {
    return payment != Payment.UNKNOWN && stock != Stock.UNKNOWN;
  }
}
