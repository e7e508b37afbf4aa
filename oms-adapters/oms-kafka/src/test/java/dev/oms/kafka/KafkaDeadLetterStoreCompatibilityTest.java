package dev.oms.kafka;

import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.tck.DeadLetterStoreCompatibilityKit;
import java.util.Optional;

/**
 * The dead-letter store kit against {@link KafkaDeadLetterStore} on the shared Kafka: every rule,
 * the sharing rule included (a second store on the same topic, as another process would open it).
 */
class KafkaDeadLetterStoreCompatibilityTest extends DeadLetterStoreCompatibilityKit {

  private static KafkaBrokerConfig.Builder config(String namespace) {
    return SharedKafka.config(namespace);
  }

  @Override
  protected DeadLetterStore createStore(String namespace) {
    return KafkaDeadLetterStore.create(config(namespace).build());
  }

  @Override
  protected Optional<DeadLetterStore> createSecondInstance(String namespace, DeadLetterStore first) {
    return Optional.of(KafkaDeadLetterStore.create(config(namespace).build()));
  }

  @Override
  protected Bounded createBoundedStore(String namespace) {
    return new Bounded(KafkaDeadLetterStore.create(config(namespace).maxDeadLetters(8).build()), 8);
  }

  /** Each write waits for Kafka's acknowledgement: fewer races keep the rule to seconds. */
  @Override
  protected int parkRaces() {
    return 60;
  }
}
