package dev.oms.service;

import dev.oms.event.Customer;
import dev.oms.event.OrderLine;
import dev.oms.event.PaymentMethod;
import java.util.List;

/**
 * A customer's request to buy.
 *
 * @param orderId the client's order id (makes retries of the same request recognisable); null to
 *     let checkout assign one
 * @param traceparent the W3C trace context of the incoming request, or null to start a new trace
 */
public record PlaceOrder(
    String orderId, Customer customer, List<OrderLine> lines, PaymentMethod payment, String traceparent) {

  public static PlaceOrder of(Customer customer, List<OrderLine> lines, PaymentMethod payment) {
    return new PlaceOrder(null, customer, lines, payment, null);
  }

  public PlaceOrder withOrderId(String orderId) {
    return new PlaceOrder(orderId, customer, lines, payment, traceparent);
  }

  public PlaceOrder withTraceparent(String traceparent) {
    return new PlaceOrder(orderId, customer, lines, payment, traceparent);
  }
}
