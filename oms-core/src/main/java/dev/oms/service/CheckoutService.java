package dev.oms.service;

import dev.oms.OmsException;
import dev.oms.broker.EventBus;
import dev.oms.event.EventIds;
import dev.oms.event.EventMetadata;
import dev.oms.event.Money;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderLine;
import dev.oms.internal.Stages;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Validates an order, publishes {@link OrderCreated} and acknowledges the customer as soon as the
 * broker accepted the event, without waiting for payment, stock or anything else downstream.
 */
public final class CheckoutService {
  /** Orders larger than this are refused: a real basket never is, and it keeps events well under size limits. */
  public static final int MAX_LINES = 200;

  private final EventBus bus;
  private final Duration acceptTimeout;

  public CheckoutService(EventBus bus, Duration acceptTimeout) {
    this.bus = bus;
    this.acceptTimeout = acceptTimeout;
  }

  /** Places an order and waits only for the broker to accept it. */
  public CheckoutAcknowledgement placeOrder(PlaceOrder request) {
    OrderCreated event = validate(request);
    try {
      Stages.await(bus.publish(event), acceptTimeout);
    } catch (OmsException e) {
      throw e;
    } catch (Exception e) {
      throw new OmsException(OmsException.Kind.BROKER_UNAVAILABLE, "the broker did not accept order "
          + event.orderId() + ": " + e.getMessage(), e);
    }
    return acknowledgement(event);
  }

  /** Places an order; the stage completes once the broker accepted it. */
  public CompletionStage<CheckoutAcknowledgement> placeOrderAsync(PlaceOrder request) {
    OrderCreated event;
    try {
      event = validate(request);
    } catch (OmsException e) {
      return Stages.failed(e).thenApply(v -> null);
    }
    return bus.publish(event).thenApply(v -> acknowledgement(event));
  }

  private static CheckoutAcknowledgement acknowledgement(OrderCreated event) {
    return new CheckoutAcknowledgement(event.orderId(), event.total(), event.metadata().occurredAt(),
        event.metadata().correlationId());
  }

  /** Builds the event or refuses the request with {@link OmsException.Kind#REJECTED} and the reason. */
  static OrderCreated validate(PlaceOrder request) {
    if (request == null) {
      throw rejected("the order request is missing");
    }
    List<OrderLine> lines = request.lines();
    if (lines == null || lines.isEmpty()) {
      throw rejected("an order needs at least one line");
    }
    if (lines.size() > MAX_LINES) {
      throw rejected("an order may have at most " + MAX_LINES + " lines, this one has " + lines.size());
    }
    if (request.customer() == null) {
      throw rejected("the order has no customer");
    }
    if (request.payment() == null) {
      throw rejected("the order has no payment method");
    }
    String traceparent = request.traceparent();
    if (traceparent != null && !EventIds.isTraceparent(traceparent)) {
      throw rejected("traceparent is not a valid W3C trace context: " + traceparent);
    }
    Money total = null;
    for (OrderLine line : lines) {
      if (line == null) {
        throw rejected("an order line is missing");
      }
      if (total != null && !total.isSameCurrency(line.unitPrice())) {
        throw rejected("all lines of an order must use one currency; found " + total.currency() + " and "
            + line.unitPrice().currency());
      }
      try {
        total = total == null ? line.lineTotal() : total.plus(line.lineTotal());
      } catch (ArithmeticException e) {
        throw rejected("the order total overflows");
      }
    }
    String orderId = request.orderId() != null ? request.orderId() : EventIds.newEventId();
    if (orderId.isBlank()) {
      throw rejected("the order id is blank");
    }
    // A client-supplied order id makes the event id deterministic too: a retried request carries
    // the same OrderCreated id, which every consumer group deduplicates.
    EventMetadata metadata = request.orderId() != null
        ? EventMetadata.first(orderId, traceparent, EventIds.derivedEventId(orderId, "checkout", 0))
        : EventMetadata.first(orderId, traceparent);
    return new OrderCreated(metadata, request.customer(), lines, total, request.payment());
  }

  private static OmsException rejected(String why) {
    return new OmsException(OmsException.Kind.REJECTED, why);
  }
}
