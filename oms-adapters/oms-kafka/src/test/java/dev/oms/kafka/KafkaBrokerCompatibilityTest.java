package dev.oms.kafka;

import dev.oms.broker.spi.EventBroker;
import dev.oms.kafka.local.LocalKafka;
import dev.oms.kafka.local.LocalKafkaCluster;
import dev.oms.tck.BrokerCompatibilityKit;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The broker test kit, required and optional tiers, against a real Kafka started from Maven jars.
 * It has a Kafka of its own, because the durability rule restarts it.
 */
class KafkaBrokerCompatibilityTest extends BrokerCompatibilityKit {
  private static LocalKafkaCluster kafka;

  @BeforeAll
  static void startKafka() {
    kafka = LocalKafka.ofDefaults().start();
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Override
  protected EventBroker createBroker(String namespace) {
    return KafkaBroker.create(SharedKafka.config(kafka, namespace)
        .consumerProperty("session.timeout.ms", 6_000)
        .consumerProperty("heartbeat.interval.ms", 500)
        .build());
  }

  /** Stops the Kafka server and starts it again on the same data. */
  @Override
  protected void restartBackend() {
    kafka.restartAll();
  }

  /** No commit, no hand-over: what a consumer process that dies leaves behind. */
  @Override
  protected void crash(EventBroker broker) {
    ((KafkaBroker) broker).abort();
  }

  @Override
  protected Duration deliveryTimeout() {
    return Duration.ofSeconds(60);
  }
}
