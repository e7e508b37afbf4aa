package dev.oms.service;

import static dev.oms.fixtures.Orders.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.Oms;
import dev.oms.OmsException;
import dev.oms.OmsService;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.fixtures.Pipeline;
import dev.oms.memory.BackpressurePolicy;
import dev.oms.memory.InMemoryBroker;
import dev.oms.memory.InMemoryBrokerConfig;
import dev.oms.port.NotificationKind;
import dev.oms.port.OrderStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tiny queues that refuse at once: refused orders leave no trace, and every accepted order still
 * ends exactly once, because a handler whose follow-on events were refused runs again with the
 * same decision and the same event ids.
 */
class BackpressurePipelineTest {

  @Test
  void refusedOrdersLeaveNoTraceAndAcceptedOnesEndExactlyOnce() {
    InMemoryBrokerConfig tiny = InMemoryBrokerConfig.builder().groupCapacity(16)
        .backpressure(BackpressurePolicy.FAIL_FAST).build();
    DeliveryPolicy patient = DeliveryPolicy.builder().maxAttempts(500)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(10), 2.0).build();
    try (Pipeline pipeline = new Pipeline(Oms.builder().broker(InMemoryBroker.create(tiny))
        .defaultConcurrency(1).deliveryPolicy(patient))) {
      pipeline.inventory.stock("SKU-1", 1_000);
      pipeline.oms.service(OmsService.FULFILLMENT).pause();

      List<String> accepted = new ArrayList<>();
      List<String> refused = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String id = "bp-" + i;
        try {
          pipeline.oms.placeOrder(order(id, "SKU-1", 1));
          accepted.add(id);
        } catch (OmsException e) {
          assertThat(e.kind()).isEqualTo(OmsException.Kind.BACKPRESSURE);
          refused.add(id);
        }
      }
      assertThat(refused).as("the tiny queues must refuse some orders").isNotEmpty();
      assertThat(accepted).isNotEmpty();

      pipeline.oms.service(OmsService.FULFILLMENT).resume();
      await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.terminal() == accepted.size());
      await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.oms.backlog() == 0);

      assertThat(pipeline.audit(accepted).invariantsHeld()).as(pipeline.audit(accepted).describe()).isTrue();
      assertThat(pipeline.oms.deadLetters().list()).isEmpty();
      for (String id : accepted) {
        assertThat(pipeline.orders.find(id).orElseThrow().timeline())
            .as("order %s went through each step once", id)
            .filteredOn(e -> e.eventType().equals("dev.oms.order.fulfilled")).hasSize(1);
        assertThat(pipeline.notifications.kinds(id)).contains(NotificationKind.ORDER_COMPLETED);
      }
      for (String id : refused) {
        assertThat(pipeline.inventory.holdsReservation(id)).as("refused %s holds stock", id).isFalse();
        assertThat(pipeline.payments.captures(id)).isZero();
        assertThat(pipeline.orders.find(id)).isEmpty();
      }
      assertThat(pipeline.inventory.available("SKU-1")).isEqualTo(1_000 - accepted.size());
      assertThat(pipeline.orders.count(OrderStatus.FULFILLED)).isEqualTo(accepted.size());
    }
  }
}
