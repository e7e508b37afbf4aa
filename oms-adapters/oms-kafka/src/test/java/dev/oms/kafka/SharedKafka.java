package dev.oms.kafka;

import dev.oms.kafka.local.LocalKafka;
import dev.oms.kafka.local.LocalKafkaCluster;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One single-node Kafka for every test class of this module's test run (it starts in ~5 s), each
 * test on its own topic and group ids. Killed when the test JVM exits.
 */
final class SharedKafka {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static LocalKafkaCluster cluster;

  private SharedKafka() {}

  static synchronized LocalKafkaCluster cluster() {
    if (cluster == null) {
      cluster = LocalKafka.ofDefaults().start();
    }
    return cluster;
  }

  /** A config on the shared Kafka, on a topic and group ids of its own. */
  static KafkaBrokerConfig.Builder config(String namespace) {
    return config(cluster(), namespace);
  }

  static KafkaBrokerConfig.Builder config(LocalKafkaCluster kafka, String namespace) {
    return KafkaBrokerConfig.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .topic(namespace + ".orders")
        .groupIdPrefix(namespace + ".")
        .partitions(6)
        .commitInterval(Duration.ofMillis(50));
  }

  static String uniqueNamespace(String prefix) {
    return prefix + "-" + NAMESPACES.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
  }
}
