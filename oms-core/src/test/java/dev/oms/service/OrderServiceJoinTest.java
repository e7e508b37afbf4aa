package dev.oms.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oms.broker.EventContext;
import dev.oms.event.EventMetadata;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderProcessed;
import dev.oms.event.OutOfStock;
import dev.oms.event.PaymentDeclined;
import dev.oms.event.RefundIssued;
import dev.oms.event.StockReserved;
import dev.oms.fixtures.SampleEvents;
import dev.oms.port.InMemoryPaymentGateway;
import dev.oms.port.InMemoryPaymentLedger;
import dev.oms.port.PaymentRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Payment and stock answers reach the order service in either order on a real broker (different
 * event types may overtake each other), so the join must give the same outcome both ways.
 */
class OrderServiceJoinTest {
  private final InMemoryPaymentGateway gateway = new InMemoryPaymentGateway();
  private final InMemoryPaymentLedger ledger = new InMemoryPaymentLedger();
  private final OrderService service = new OrderService(gateway, ledger);

  /** Collects what a handler publishes. */
  static final class Recorder implements EventContext {
    final List<OrderEvent> published = new ArrayList<>();

    @Override
    public String group() {
      return OrderService.GROUP;
    }

    @Override
    public int attempt() {
      return 1;
    }

    @Override
    public String traceparent() {
      return SampleEvents.TRACEPARENT;
    }

    @Override
    public String correlationId() {
      return "corr";
    }

    @Override
    public void publish(OrderEvent event) {
      published.add(event);
    }

    @Override
    public EventMetadata followOn() {
      return EventMetadata.causedBy(cause);
    }

    @Override
    public void afterPublish(Runnable action) {
      action.run(); // this recorder "accepts" every publish at once
    }

    OrderEvent cause = SampleEvents.orderCreated("cause");
  }

  private static List<Class<?>> types(Recorder r) {
    return r.published.stream().<Class<?>>map(Object::getClass).toList();
  }

  @Test
  void paidThenReservedProcessesTheOrder() {
    OrderCreated order = SampleEvents.orderCreated("j-1");
    Recorder ctx = new Recorder();
    service.onOrderCreated(order, ctx);
    service.onStockAnswer(new StockReserved(EventMetadata.causedBy(order), order.lines()),
        PaymentRecord.Stock.RESERVED, null, ctx);
    assertThat(types(ctx)).containsExactly(OrderProcessed.class);
    assertThat(ledger.size()).isZero();
  }

  @Test
  void reservedBeforePaidGivesTheSameOutcome() {
    OrderCreated order = SampleEvents.orderCreated("j-2");
    Recorder ctx = new Recorder();
    service.onStockAnswer(new StockReserved(EventMetadata.causedBy(order), order.lines()),
        PaymentRecord.Stock.RESERVED, null, ctx);
    assertThat(ctx.published).isEmpty();
    service.onOrderCreated(order, ctx);
    assertThat(types(ctx)).containsExactly(OrderProcessed.class);
    assertThat(gateway.captures("j-2")).isEqualTo(1);
    assertThat(ledger.size()).isZero();
  }

  @Test
  void outOfStockBeforePaidRefundsTheChargeAndCancels() {
    OrderCreated order = SampleEvents.orderCreated("j-3");
    Recorder ctx = new Recorder();
    service.onStockAnswer(new OutOfStock(EventMetadata.causedBy(order), "SKU", 1, 0),
        PaymentRecord.Stock.OUT_OF_STOCK, "SKU", ctx);
    service.onOrderCreated(order, ctx);
    assertThat(types(ctx)).containsExactly(RefundIssued.class, OrderCancelled.class);
    assertThat(gateway.refunded("j-3")).isTrue();
  }

  @Test
  void aRedeliveredOrderUnderANewEventIdIsNotChargedTwice() {
    OrderCreated order = SampleEvents.orderCreated("j-4");
    Recorder ctx = new Recorder();
    service.onOrderCreated(order, ctx);
    OrderCreated again = new OrderCreated(EventMetadata.first("j-4", null), order.customer(), order.lines(),
        order.total(), order.payment());
    service.onOrderCreated(again, ctx);
    assertThat(gateway.captures("j-4")).isEqualTo(1);
  }

  @Test
  void aDeclineCancelsAtOnceWhateverTheStockAnswer() {
    OrderCreated order = new OrderCreated(SampleEvents.metadata("j-5"), SampleEvents.customer(),
        SampleEvents.lines(), SampleEvents.orderCreated("j-5").total(),
        new dev.oms.event.PaymentMethod("tok_decline_card"));
    Recorder ctx = new Recorder();
    service.onOrderCreated(order, ctx);
    assertThat(types(ctx)).containsExactly(PaymentDeclined.class, OrderCancelled.class);
    service.onStockAnswer(new StockReserved(EventMetadata.causedBy(order), order.lines()),
        PaymentRecord.Stock.RESERVED, null, ctx);
    assertThat(types(ctx)).containsExactly(PaymentDeclined.class, OrderCancelled.class);
    assertThat(ledger.size()).isZero();
  }
}
