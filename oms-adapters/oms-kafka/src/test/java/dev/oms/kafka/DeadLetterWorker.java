package dev.oms.kafka;

import static org.awaitility.Awaitility.await;

import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.OutOfStock;
import java.time.Duration;
import java.util.List;

/**
 * Process A of {@link KafkaDeadLetterSharingTest}: owns the group alone, dead-letters the first
 * record it gets (its handler is broken), prints {@code DEAD-LETTERED <id>} and leaves the group
 * (a graceful close: the dead letter is committed past). Args: bootstrap servers, namespace.
 */
public final class DeadLetterWorker {
  private DeadLetterWorker() {}

  public static void main(String[] args) throws Exception {
    KafkaBrokerConfig config = KafkaDeadLetterSharingTest.config(args[0], args[1]);
    try (KafkaDeadLetterStore store = KafkaDeadLetterStore.create(config);
        EventBus bus = EventBus.builder().broker(KafkaBroker.create(config)).deadLetterStore(store).build()) {
      bus.subscribe(ConsumerGroup.builder(KafkaDeadLetterSharingTest.GROUP).policy(DeliveryPolicy.builder()
          .maxAttempts(2).backoff(Duration.ofMillis(1), Duration.ofMillis(2), 2.0).jitter(0).build()).build(),
          EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
            throw new IllegalStateException("the stock service of process A is broken");
          }).build());
      System.out.println("READY");
      System.out.flush();
      await().atMost(Duration.ofSeconds(60)).until(() -> !store.list(KafkaDeadLetterSharingTest.GROUP).isEmpty());
      List<DeadLetter> stored = store.list(KafkaDeadLetterSharingTest.GROUP);
      System.out.println("DEAD-LETTERED " + stored.get(0).id());
      System.out.flush();
    }
    System.out.println("LEFT");
    System.out.flush();
  }
}
