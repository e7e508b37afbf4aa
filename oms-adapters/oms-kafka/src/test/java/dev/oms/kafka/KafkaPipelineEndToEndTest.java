package dev.oms.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.Oms;
import dev.oms.audit.AuditReport;
import dev.oms.audit.PipelineAudit;
import dev.oms.port.InMemoryInventory;
import dev.oms.port.InMemoryNotificationChannel;
import dev.oms.port.InMemoryOrderStore;
import dev.oms.port.InMemoryPaymentGateway;
import dev.oms.port.OrderStatus;
import dev.oms.service.PlaceOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The whole order pipeline on a real Kafka: 10,000 orders, every invariant held. */
class KafkaPipelineEndToEndTest {
  private static final int ORDERS = 10_000;

  @Test
  void tenThousandOrdersEndFulfilledOrCancelledWithEveryInvariantHeld() throws Exception {
    InMemoryInventory inventory = new InMemoryInventory();
    // Scarce stock on one SKU so some orders run out and are cancelled and refunded.
    OrderFactory.SKUS.forEach(sku -> inventory.stock(sku, sku.equals("SKU-TV") ? 500 : 1_000_000));
    InMemoryPaymentGateway payments = new InMemoryPaymentGateway();
    InMemoryNotificationChannel notifications = new InMemoryNotificationChannel();
    InMemoryOrderStore orders = new InMemoryOrderStore();
    KafkaBroker kafka = KafkaBroker.create(SharedKafka.config(SharedKafka.uniqueNamespace("e2e")).build());
    List<String> accepted = new ArrayList<>();
    try (Oms oms = Oms.builder().broker(kafka).inventory(inventory).paymentGateway(payments)
        .notificationChannel(notifications).orderStore(orders).defaultConcurrency(16).build()) {
      OrderFactory factory = new OrderFactory(7, "o", 0.03);
      List<PlaceOrder> requests = new ArrayList<>();
      for (int i = 0; i < ORDERS; i++) {
        requests.add(factory.next());
      }
      // Checkout waits for Kafka's acknowledgement of each OrderCreated: customers arrive in parallel.
      ExecutorService customers = Executors.newFixedThreadPool(16);
      try {
        List<Future<String>> acks = new ArrayList<>();
        for (PlaceOrder request : requests) {
          acks.add(customers.submit(() -> oms.placeOrder(request).orderId()));
        }
        for (Future<String> ack : acks) {
          accepted.add(ack.get());
        }
      } finally {
        customers.shutdown();
      }

      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
          .until(() -> orders.count(OrderStatus.FULFILLED) + orders.count(OrderStatus.CANCELLED) == ORDERS);
      await().atMost(Duration.ofMinutes(1)).until(() -> oms.backlog() == 0);

      AuditReport report = new PipelineAudit(orders, inventory, payments, notifications).audit(accepted);
      assertThat(report.invariantsHeld()).as(report.describe()).isTrue();
      assertThat(orders.count(OrderStatus.CANCELLED)).as("stock-outs and declines cancel orders").isPositive();
      assertThat(orders.count(OrderStatus.FULFILLED)).isGreaterThan(ORDERS / 2);
      assertThat(oms.deadLetters().list()).as("no dead letters").isEmpty();
    }
  }
}
