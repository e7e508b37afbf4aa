package dev.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.event.Address;
import dev.oms.event.Customer;
import dev.oms.event.Money;
import dev.oms.event.OrderLine;
import dev.oms.event.PaymentMethod;
import dev.oms.port.InMemoryInventory;
import dev.oms.port.OrderStatus;
import dev.oms.service.CheckoutAcknowledgement;
import dev.oms.service.PlaceOrder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedding example of the root README, kept compiling and true. */
class ReadmeExampleTest {

  @Test
  void theReadmeExampleRunsAsWritten() {
    InMemoryInventory stock = new InMemoryInventory().stock("SKU-TV-55", 40);
    try (Oms oms = Oms.builder()
        .inventory(stock)
        .concurrency(OmsService.WAREHOUSE, 4)
        .build()) {
      Customer jane = new Customer("c-1", "jane@example.com", new Address("1 Main St", "Springfield", "12345", "US"));
      CheckoutAcknowledgement ack = oms.placeOrder(PlaceOrder.of(jane,
          List.of(new OrderLine("SKU-TV-55", 1, Money.of(49_900, "USD"))), new PaymentMethod("tok_visa")));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> oms.order(ack.orderId()).map(v -> v.status() == OrderStatus.FULFILLED).orElse(false));
      assertThat(oms.order(ack.orderId()).orElseThrow().timeline()).hasSize(6);
      oms.service(OmsService.WAREHOUSE).pause();
      assertThat(oms.deadLetters().list()).isEmpty();
      assertThat(stock.available("SKU-TV-55")).isEqualTo(39);
    }
  }
}
