package dev.oms.service;

import static dev.oms.fixtures.Orders.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.OmsService;
import dev.oms.broker.GroupMetrics;
import dev.oms.fixtures.Pipeline;
import dev.oms.port.OrderStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failure isolation: with the warehouse down, checkout keeps taking orders; the backlog drains on resume. */
class WarehouseOutageTest {
  private static final int ORDERS = 10_000;

  @Test
  void checkoutAcceptsEveryOrderWhileWarehouseIsDownAndAllAreFulfilledAfterResume() {
    try (Pipeline pipeline = new Pipeline()) {
      pipeline.inventory.stock("SKU-1", ORDERS);
      pipeline.oms.service(OmsService.WAREHOUSE).pause();

      List<String> ids = new ArrayList<>();
      for (int i = 0; i < ORDERS; i++) {
        ids.add(pipeline.oms.placeOrder(order("w-" + i, "SKU-1", 1)).orderId());
      }
      assertThat(ids).hasSize(ORDERS).doesNotHaveDuplicates();

      // Everything upstream of the warehouse completes; the warehouse's share waits in its queue.
      await().atMost(Duration.ofSeconds(30)).until(
          () -> pipeline.oms.service(OmsService.WAREHOUSE).metrics().backlog() == ORDERS);
      GroupMetrics warehouse = pipeline.oms.service(OmsService.WAREHOUSE).metrics();
      assertThat(warehouse.paused()).isTrue();
      assertThat(warehouse.handled()).isZero();
      await().atMost(Duration.ofSeconds(30)).until(
          () -> pipeline.orders.count(OrderStatus.SHIPMENT_PREPARED) == ORDERS);
      assertThat(pipeline.orders.count(OrderStatus.FULFILLED)).isZero();

      pipeline.oms.service(OmsService.WAREHOUSE).resume();

      await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.orders.count(OrderStatus.FULFILLED) == ORDERS);
      await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.oms.backlog() == 0);
      assertThat(pipeline.audit(ids).invariantsHeld()).as(pipeline.audit(ids).describe()).isTrue();
      assertThat(pipeline.oms.deadLetters().list()).isEmpty();
    }
  }
}
