package dev.oms.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** Topic set-up shared by the Kafka benchmarks. */
final class KafkaTopics {
  private KafkaTopics() {}

  /**
   * Creates {@code topic} and waits until every partition's leader serves it (a new topic's leaders
   * settle after the create returns), up to a minute.
   *
   * @param replication the replication factor, -1 for the broker's default (as the adapter creates it)
   */
  static void create(Map<String, Object> adminConfig, String topic, int partitions, short replication)
      throws Exception {
    try (Admin admin = Admin.create(adminConfig)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, replication))).all().get(60, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
          return;
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100); // polling the broker's metadata, not waiting out a race of ours
        }
      }
    }
  }
}
