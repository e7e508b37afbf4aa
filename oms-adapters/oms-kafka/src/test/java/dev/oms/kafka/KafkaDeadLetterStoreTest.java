package dev.oms.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.RedriveResult;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.EventMetadata;
import dev.oms.event.OutOfStock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Dead letters on a compacted Kafka topic outlive the process, and a redrive after a restart works. */
class KafkaDeadLetterStoreTest {
  private static final String GROUP = "stock";
  private static final DeliveryPolicy TWO_FAST_ATTEMPTS = DeliveryPolicy.builder().maxAttempts(2)
      .backoff(Duration.ofMillis(1), Duration.ofMillis(2), 2.0).jitter(0).build();

  private static OutOfStock event(String orderId, int seq) {
    return new OutOfStock(EventMetadata.first(orderId, null), "SKU-1", seq, 0);
  }

  @Test
  void deadLettersAndRecordsParkedBehindThemSurviveARestartAndRedriveInOrder() throws Exception {
    KafkaBrokerConfig config = SharedKafka.config(SharedKafka.uniqueNamespace("dlt")).build();
    OutOfStock failing = event("o-1", 1);
    OutOfStock parked = event("o-1", 2);

    // First process: the handler fails every time; the second event of the order parks behind the first.
    try (KafkaDeadLetterStore store = KafkaDeadLetterStore.create(config);
        EventBus bus = EventBus.builder().broker(KafkaBroker.create(config)).deadLetterStore(store).build()) {
      bus.subscribe(ConsumerGroup.builder(GROUP).policy(TWO_FAST_ATTEMPTS).build(), EventHandlers.builder()
          .on(OutOfStock.TYPE, (e, ctx) -> {
            throw new IllegalStateException("stock service is broken");
          }).build());
      bus.publish(failing).toCompletableFuture().get(30, TimeUnit.SECONDS);
      bus.publish(parked).toCompletableFuture().get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(60)).until(() -> bus.deadLetters().list(GROUP).size() == 2);
    }

    // Second process: a fresh store reads them back from Kafka; the fixed handler takes both, in order.
    List<Integer> handled = new CopyOnWriteArrayList<>();
    try (KafkaDeadLetterStore store = KafkaDeadLetterStore.create(config);
        EventBus bus = EventBus.builder().broker(KafkaBroker.create(config)).deadLetterStore(store).build()) {
      List<DeadLetter> reloaded = store.list();
      assertThat(reloaded).hasSize(2);
      DeadLetter head = reloaded.get(0);
      assertThat(head.eventId()).isEqualTo(failing.eventId());
      assertThat(head.reason()).contains("IllegalStateException").contains("stock service is broken");
      assertThat(head.attempts()).isEqualTo(2);
      assertThat(reloaded.get(1).parkedBehind()).isEqualTo(head.id());

      bus.subscribe(ConsumerGroup.builder(GROUP).policy(TWO_FAST_ATTEMPTS).build(), EventHandlers.builder()
          .on(OutOfStock.TYPE, (e, ctx) -> handled.add(e.requested())).build());
      RedriveResult result = bus.deadLetters().redrive(head.id());
      assertThat(result.handled()).isTrue();
      assertThat(result.released()).isEqualTo(1);
      assertThat(handled).containsExactly(1, 2);
      assertThat(store.list()).isEmpty();
    }

    // Third process: the tombstones removed them for good.
    try (KafkaDeadLetterStore store = KafkaDeadLetterStore.create(config)) {
      assertThat(store.list()).isEmpty();
    }
  }
}
