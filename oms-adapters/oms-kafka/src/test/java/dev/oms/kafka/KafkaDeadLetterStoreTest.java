package dev.oms.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.RedriveResult;
import dev.oms.OmsException;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.EventMetadata;
import dev.oms.event.OutOfStock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
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

  private static DeadLetter failure(String id, String key, String reason) {
    return new DeadLetter(id, GROUP, key, OutOfStock.TYPE.name(), "event-" + id,
        "{}".getBytes(StandardCharsets.UTF_8), Map.of(), reason, 3, Instant.now(), null);
  }

  private static DeadLetter parked(String id, String key, String behind) {
    return new DeadLetter(id, GROUP, key, OutOfStock.TYPE.name(), "event-" + id,
        "{}".getBytes(StandardCharsets.UTF_8), Map.of(), "parked behind dead letter " + behind, 0, Instant.now(),
        behind);
  }

  @Test
  void whatOneProcessStoresTheOthersSeeAfterARefreshAndAnOrderStaysBlockedUntilItsLastEntryGoes() {
    KafkaBrokerConfig config = SharedKafka.config(SharedKafka.uniqueNamespace("dlshared")).build();
    try (KafkaDeadLetterStore one = KafkaDeadLetterStore.create(config);
        KafkaDeadLetterStore two = KafkaDeadLetterStore.create(config)) {
      one.add(failure("f-1", "o-1", "broken"));
      two.refresh(); // returns once it has read everything written before the call
      assertThat(two.isBlocked(GROUP, "o-1")).isTrue();
      assertThat(two.isBlocked(GROUP, "o-2")).isFalse();
      assertThat(two.isBlocked("another-group", "o-1")).isFalse();
      assertThat(two.park(parked("p-1", "o-1", "f-1"))).as("parked behind the other process's dead letter").isTrue();
      assertThat(two.park(parked("p-2", "o-2", "none"))).as("an order nothing blocks is not parked").isFalse();

      one.refresh();
      assertThat(one.blocking(GROUP, "o-1")).extracting(DeadLetter::id).containsExactly("f-1", "p-1");
      assertThat(one.remove("f-1")).isTrue();
      two.refresh();
      assertThat(two.isBlocked(GROUP, "o-1")).as("still blocked by the parked record").isTrue();
      assertThat(two.remove("p-1")).isTrue();
      one.refresh();
      assertThat(one.isBlocked(GROUP, "o-1")).isFalse();
      assertThat(one.list(GROUP)).isEmpty();
    }
  }

  @Test
  void anEntryUpdatedAfterAFailedRedriveKeepsItsPlaceInItsOrderAfterARestart() {
    KafkaBrokerConfig config = SharedKafka.config(SharedKafka.uniqueNamespace("dlorder")).build();
    try (KafkaDeadLetterStore store = KafkaDeadLetterStore.create(config)) {
      store.add(failure("f-1", "o-1", "broken"));
      store.park(parked("p-1", "o-1", "f-1"));
      store.update(failure("f-1", "o-1", "still broken after a redrive")); // written after p-1 on the topic
    }
    try (KafkaDeadLetterStore reopened = KafkaDeadLetterStore.create(config)) {
      assertThat(reopened.blocking(GROUP, "o-1")).extracting(DeadLetter::id).containsExactly("f-1", "p-1");
      assertThat(reopened.get("f-1")).get().extracting(DeadLetter::reason).isEqualTo("still broken after a redrive");
    }
  }

  @Test
  void aFullStoreRefusesWithATypedErrorAndTakesEntriesAgainOnceOneIsRemoved() {
    KafkaBrokerConfig config = SharedKafka.config(SharedKafka.uniqueNamespace("dlfull")).maxDeadLetters(2).build();
    try (KafkaDeadLetterStore store = KafkaDeadLetterStore.create(config)) {
      store.add(failure("f-1", "o-1", "broken"));
      store.add(failure("f-2", "o-2", "broken"));
      Assertions.assertThatThrownBy(() -> store.add(failure("f-3", "o-3", "broken")))
          .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.DEAD_LETTERS_FULL));
      Assertions.assertThatThrownBy(() -> store.park(parked("p-1", "o-1", "f-1")))
          .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.DEAD_LETTERS_FULL));
      assertThat(store.list()).extracting(DeadLetter::id).containsExactly("f-1", "f-2");
      assertThat(store.remove("f-2")).isTrue();
      store.add(failure("f-3", "o-3", "broken"));
      assertThat(store.list()).extracting(DeadLetter::id).containsExactly("f-1", "f-3");
    }
  }
}
