package dev.oms.service;

import static dev.oms.fixtures.Orders.declinedOrder;
import static dev.oms.fixtures.Orders.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.fixtures.Pipeline;
import dev.oms.port.NotificationKind;
import dev.oms.port.OrderStatus;
import dev.oms.port.OrderView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PipelineEndToEndTest {
  private final Pipeline pipeline = new Pipeline();

  @AfterEach
  void close() {
    pipeline.close();
  }

  private OrderView awaitTerminal(String orderId) {
    await().atMost(Duration.ofSeconds(10)).until(
        () -> pipeline.orders.status(orderId).map(OrderStatus::isTerminal).orElse(false));
    await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.oms.backlog() == 0);
    return pipeline.oms.order(orderId).orElseThrow();
  }

  private static List<String> types(OrderView view) {
    return view.timeline().stream().map(OrderView.TimelineEntry::eventType).toList();
  }

  @Test
  void happyPathFulfillsTheOrderThroughEveryStepInOrder() {
    pipeline.inventory.stock("SKU-1", 5);

    CheckoutAcknowledgement ack = pipeline.oms.placeOrder(order("o-1", "SKU-1", 2));

    assertThat(ack.orderId()).isEqualTo("o-1");
    assertThat(ack.total().amountMinor()).isEqualTo(3998);
    OrderView view = awaitTerminal("o-1");
    assertThat(view.status()).isEqualTo(OrderStatus.FULFILLED);
    assertThat(types(view)).containsSubsequence("dev.oms.order.created", "dev.oms.stock.reserved",
        "dev.oms.order.processed", "dev.oms.shipment.prepared", "dev.oms.shipment.processed",
        "dev.oms.order.fulfilled");
    assertThat(pipeline.inventory.available("SKU-1")).isEqualTo(3);
    assertThat(pipeline.payments.captures("o-1")).isEqualTo(1);
    assertThat(pipeline.notifications.kinds("o-1")).containsExactlyInAnyOrder(NotificationKind.ORDER_RECEIVED,
        NotificationKind.PAYMENT_CONFIRMED, NotificationKind.SHIPPED, NotificationKind.ORDER_COMPLETED);
    assertThat(pipeline.audit(List.of("o-1")).invariantsHeld()).isTrue();
    assertThat(pipeline.orders.orderIds()).as("orders an audit can enumerate").containsExactly("o-1");
  }

  @Test
  void outOfStockCancelsAndRefundsTheCharge() {
    pipeline.inventory.stock("SKU-1", 1);

    pipeline.oms.placeOrder(order("o-2", "SKU-1", 3));

    OrderView view = awaitTerminal("o-2");
    assertThat(view.status()).isEqualTo(OrderStatus.CANCELLED);
    assertThat(types(view)).contains("dev.oms.stock.out-of-stock", "dev.oms.payment.refunded",
        "dev.oms.order.cancelled").doesNotContain("dev.oms.order.fulfilled");
    assertThat(pipeline.payments.captures("o-2")).isEqualTo(1);
    assertThat(pipeline.payments.refunded("o-2")).isTrue();
    assertThat(pipeline.inventory.available("SKU-1")).isEqualTo(1);
    assertThat(pipeline.notifications.kinds("o-2")).contains(NotificationKind.ORDER_CANCELLED,
        NotificationKind.REFUND_ISSUED);
    assertThat(pipeline.audit(List.of("o-2")).invariantsHeld()).isTrue();
  }

  @Test
  void declinedPaymentCancelsAndReleasesTheReservedStock() {
    pipeline.inventory.stock("SKU-1", 4);

    pipeline.oms.placeOrder(declinedOrder("o-3", "SKU-1", 4));

    OrderView view = awaitTerminal("o-3");
    assertThat(view.status()).isEqualTo(OrderStatus.CANCELLED);
    assertThat(types(view)).contains("dev.oms.payment.declined", "dev.oms.order.cancelled");
    assertThat(pipeline.payments.captures("o-3")).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.inventory.available("SKU-1") == 4);
    assertThat(pipeline.inventory.holdsReservation("o-3")).isFalse();
    assertThat(pipeline.audit(List.of("o-3")).invariantsHeld()).isTrue();
  }

  @Test
  void anIdleBusMeansEveryOrderIsFinishedAndNotified() {
    pipeline.inventory.stock("SKU-1", 100_000);
    for (int i = 0; i < 1_000; i++) {
      String id = "idle-" + i;
      pipeline.oms.placeOrder(order(id, "SKU-1", 1));
      await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
          .until(() -> pipeline.oms.backlog() == 0);
      // Idle must mean done: nothing may still be in flight between two groups.
      assertThat(pipeline.orders.status(id)).contains(OrderStatus.FULFILLED);
      assertThat(pipeline.notifications.kinds(id)).contains(NotificationKind.ORDER_COMPLETED);
    }
  }

  @Test
  void aClientRetryingWithTheSameOrderIdGetsOneOrder() {
    pipeline.inventory.stock("SKU-1", 5);
    CheckoutAcknowledgement first = pipeline.oms.placeOrder(order("retry-1", "SKU-1", 1));
    awaitTerminal("retry-1");
    CheckoutAcknowledgement again = pipeline.oms.placeOrder(order("retry-1", "SKU-1", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.oms.backlog() == 0);

    assertThat(again.correlationId()).isEqualTo(first.correlationId());
    assertThat(types(pipeline.oms.order("retry-1").orElseThrow())).containsOnlyOnce("dev.oms.order.fulfilled");
    assertThat(pipeline.payments.captures("retry-1")).isEqualTo(1);
    assertThat(pipeline.inventory.available("SKU-1")).isEqualTo(4);
    assertThat(pipeline.notifications.sent()).isEqualTo(4);
  }
}
