package dev.oms.service;

import static dev.oms.fixtures.Orders.customer;
import static dev.oms.fixtures.Orders.line;
import static dev.oms.fixtures.Orders.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.event.Money;
import dev.oms.event.OrderLine;
import dev.oms.event.PaymentMethod;
import dev.oms.fixtures.Pipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CheckoutValidationTest {
  private final Pipeline pipeline = new Pipeline();

  @AfterEach
  void close() {
    pipeline.close();
  }

  private void assertRejected(PlaceOrder request, String because) {
    assertThatThrownBy(() -> pipeline.oms.placeOrder(request))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.REJECTED))
        .hasMessageContaining(because);
  }

  @Test
  void refusesOrdersThatCannotBeFulfilledWithAReason() {
    PaymentMethod card = new PaymentMethod("tok_ok");
    assertRejected(new PlaceOrder("x", customer("c"), List.of(), card, null), "at least one line");
    assertRejected(new PlaceOrder("x", null, List.of(line("A", 1, 100)), card, null), "no customer");
    assertRejected(new PlaceOrder("x", customer("c"), List.of(line("A", 1, 100)), null, null), "no payment");
    assertRejected(new PlaceOrder("x", customer("c"),
        List.of(line("A", 1, 100), new OrderLine("B", 1, Money.of(100, "EUR"))), card, null), "one currency");
    assertRejected(order("x", "A", 1).withTraceparent("not-a-trace"), "traceparent");
    List<OrderLine> huge = new ArrayList<>();
    for (int i = 0; i <= CheckoutService.MAX_LINES; i++) {
      huge.add(line("S" + i, 1, 1));
    }
    assertRejected(new PlaceOrder("x", customer("c"), huge, card, null), "at most");
    assertThat(pipeline.orders.size()).isZero();
  }

  @Test
  void asyncPlacementReportsRejectionThroughTheStage() {
    assertThatThrownBy(() -> pipeline.oms.checkout()
        .placeOrderAsync(new PlaceOrder("x", customer("c"), List.of(), new PaymentMethod("tok"), null))
        .toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(OmsException.class);
  }

  @Test
  void assignsAnOrderIdAndKeepsTheCallersTraceparent() {
    pipeline.inventory.stock("A", 1);
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    CheckoutAcknowledgement ack = pipeline.oms.placeOrder(
        new PlaceOrder(null, customer("c"), List.of(line("A", 1, 250)), new PaymentMethod("tok"), traceparent));
    assertThat(ack.orderId()).isNotBlank();
    assertThat(ack.total()).isEqualTo(Money.of(250, "USD"));
    assertThat(ack.correlationId()).isNotBlank();
  }

  @Test
  void rawCardNumbersAreRefusedBeforeTheyCanReachAQueueOrALog() {
    assertThatThrownBy(() -> new PaymentMethod("4111 1111 1111 1111"))
        .isInstanceOf(OmsException.class)
        .hasMessageContaining("raw card number")
        .hasMessageNotContaining("4111");
  }
}
