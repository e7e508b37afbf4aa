package dev.oms.service;

import dev.oms.broker.EventContext;
import dev.oms.broker.EventHandlers;
import dev.oms.event.CancellationReason;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderProcessed;
import dev.oms.event.OutOfStock;
import dev.oms.event.PaymentDeclined;
import dev.oms.event.RefundIssued;
import dev.oms.event.StockReserved;
import dev.oms.port.PaymentGateway;
import dev.oms.port.PaymentLedger;
import dev.oms.port.PaymentRecord;
import dev.oms.port.PaymentRecord.Payment;
import dev.oms.port.PaymentRecord.Stock;
import dev.oms.port.PaymentResult;

/**
 * Takes the payment for every new order while inventory reserves stock in parallel, then joins
 * the two answers, whichever arrives first:
 *
 * <ul>
 *   <li>declined: {@link PaymentDeclined} and {@link OrderCancelled} at once (inventory releases
 *       any stock it reserved);
 *   <li>paid and reserved: {@link OrderProcessed}, and fulfillment starts;
 *   <li>paid but out of stock: refund, {@link RefundIssued}, then {@link OrderCancelled}, so a
 *       stock-out never leaves a charge in place.
 * </ul>
 *
 * <p>The charge uses the order id as idempotency key, so a redelivered {@link OrderCreated} never
 * charges twice, and the ledger changes only after the run's events were accepted, so a retry
 * repeats the same decision. All events of an order reach this group one at a time, so the ledger needs no lock.
 */
public final class OrderService {
  public static final String GROUP = "order";

  private final PaymentGateway gateway;
  private final PaymentLedger ledger;

  public OrderService(PaymentGateway gateway, PaymentLedger ledger) {
    this.gateway = gateway;
    this.ledger = ledger;
  }

  public EventHandlers handlers() {
    return EventHandlers.builder()
        .on(OrderCreated.TYPE, this::onOrderCreated)
        .on(StockReserved.TYPE, (e, ctx) -> onStockAnswer(e, Stock.RESERVED, null, ctx))
        .on(OutOfStock.TYPE, (e, ctx) -> onStockAnswer(e, Stock.OUT_OF_STOCK, e.sku(), ctx))
        .build();
  }

  void onOrderCreated(OrderCreated order, EventContext ctx) {
    PaymentRecord known = ledger.get(order.orderId()).orElse(PaymentRecord.UNKNOWN);
    if (known.payment() != Payment.UNKNOWN) {
      return; // already charged or declined: a redelivery under a new event id
    }
    PaymentResult result = gateway.charge(order.orderId(), order.orderId(), order.total(), order.payment());
    PaymentRecord record;
    if (result instanceof PaymentResult.Approved approved) {
      record = paymentHalf(known, Payment.CAPTURED, approved.paymentId(), order);
    } else {
      String reason = ((PaymentResult.Declined) result).reason();
      ctx.publish(new PaymentDeclined(ctx.followOn(), reason));
      ctx.publish(new OrderCancelled(ctx.followOn(), CancellationReason.PAYMENT_DECLINED, reason));
      record = paymentHalf(known, Payment.DECLINED, null, order);
    }
    settleOrKeep(order, record, ctx);
  }

  private static PaymentRecord paymentHalf(PaymentRecord known, Payment payment, String paymentId, OrderCreated o) {
    return known.withPayment(payment, paymentId, o.total(), o.lines(), o.customer().shippingAddress());
  }

  void onStockAnswer(OrderEvent answer, Stock stock, String detail, EventContext ctx) {
    PaymentRecord known = ledger.get(answer.orderId()).orElse(PaymentRecord.UNKNOWN);
    if (known.stock() != Stock.UNKNOWN) {
      return; // a redelivered answer
    }
    PaymentRecord record = known.withStock(stock, detail);
    settleOrKeep(answer, record, ctx);
  }

  /** Acts once both halves are known and forgets the order; otherwise remembers what is known. */
  private void settleOrKeep(OrderEvent cause, PaymentRecord record, EventContext ctx) {
    String orderId = cause.orderId();
    // The ledger changes only once this run's events were accepted: if publishing fails, the retry
    // finds the ledger as it was and makes the same decision (under the same event ids).
    if (!record.complete()) {
      ctx.afterPublish(() -> ledger.put(orderId, record));
      return;
    }
    if (record.payment() == Payment.CAPTURED && record.stock() == Stock.RESERVED) {
      ctx.publish(new OrderProcessed(ctx.followOn(), record.paymentId(), record.amount(),
          record.lines(), record.shipTo()));
    } else if (record.payment() == Payment.CAPTURED) {
      gateway.refund(cause.orderId(), record.paymentId(), record.amount());
      ctx.publish(new RefundIssued(ctx.followOn(), record.paymentId(), record.amount()));
      ctx.publish(new OrderCancelled(ctx.followOn(), CancellationReason.OUT_OF_STOCK,
          "not enough stock of " + record.stockDetail()));
    }
    // Declined: the order was cancelled when the decline came; inventory releases any reservation.
    ctx.afterPublish(() -> ledger.remove(orderId));
  }
}
