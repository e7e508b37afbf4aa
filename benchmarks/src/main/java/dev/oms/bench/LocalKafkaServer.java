package dev.oms.bench;

import dev.oms.kafka.local.LocalKafka;
import dev.oms.kafka.local.LocalKafkaCluster;
import java.io.IOException;

/**
 * Keeps one local Kafka (oms-kafka-local: KRaft, one node, a child JVM) up for a script: prints
 * {@code bootstrap.servers=HOST:PORT} once it answers, and stops it when standard input closes or
 * this JVM is terminated (the cluster's shutdown hook kills the node). Used by
 * {@code benchmarks/kafka-flow} so the harness and the simulator share one broker.
 */
public final class LocalKafkaServer {
  private LocalKafkaServer() {}

  public static void main(String[] args) throws IOException {
    try (LocalKafkaCluster kafka = LocalKafka.builder().nodes(1).build().start()) {
      System.out.println("bootstrap.servers=" + kafka.bootstrapServers());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until EOF
      }
    }
  }
}
