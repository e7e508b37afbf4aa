package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.OrderCreated;
import dev.oms.memory.InMemoryDeadLetterStore;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A dead letter written by an older release (OrderCreated schema v1) is still listed, read and
 * redriven after an upgrade: the upcaster turns it into the current version on the way out.
 */
class DeadLetterUpgradeTest {

  @Test
  void aV1DeadLetterFromBeforeTheUpgradeIsRedrivenToTheV2Handler() throws Exception {
    byte[] v1;
    try (InputStream in = getClass().getResourceAsStream("/dev/oms/codec/order-created-v1.json")) {
      v1 = in.readAllBytes();
    }
    InMemoryDeadLetterStore store = new InMemoryDeadLetterStore();
    store.add(new DeadLetter("dl-old", "billing", "order-v1-0001", OrderCreated.TYPE.name(),
        "7d0c2a4e-9b1f-4c3a-8e5d-2f6a1b9c0d11", v1, Map.of(), "java.io.IOException: billing was down", 5,
        Instant.parse("2023-11-02T09:16:00Z"), null));

    List<OrderCreated> received = new CopyOnWriteArrayList<>();
    try (EventBus bus = EventBus.builder().deadLetterStore(store).build()) {
      bus.subscribe(group("billing", 1, fastPolicy(1)),
          EventHandlers.builder().on(OrderCreated.TYPE, (e, ctx) -> received.add(e)).build());

      OrderCreated stored = (OrderCreated) bus.deadLetters().event(store.get("dl-old").orElseThrow());
      assertThat(stored.schemaVersion()).isEqualTo(2);

      RedriveResult result = bus.deadLetters().redrive("dl-old");

      assertThat(result.handled()).isTrue();
      assertThat(result.orderUnblocked()).isTrue();
      assertThat(received).singleElement().satisfies(order -> {
        assertThat(order.orderId()).isEqualTo("order-v1-0001");
        assertThat(order.total()).isEqualTo(stored.total());
        assertThat(order.total().currency()).isNotBlank();
      });
      assertThat(bus.deadLetters().list()).isEmpty();
    }
  }
}
