package dev.oms.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.RedriveResult;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.OutOfStock;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Dead letters stored by the version before this store was rewritten (commit 1d69e83) still load
 * and redrive: {@code dead-letters/written-by-1d69e83.json} holds the raw records (key, headers,
 * value) that version wrote for a failure and a record parked behind it, dumped from its topic.
 */
class KafkaDeadLetterStoreUpgradeTest {

  @Test
  void deadLettersWrittenByThePreviousVersionLoadAndRedriveInOrder() throws Exception {
    KafkaBrokerConfig config = SharedKafka.config(SharedKafka.uniqueNamespace("upgrade")).build();
    String topic = config.topic() + ".dead-letters";
    JsonNode sample;
    try (InputStream in = getClass().getResourceAsStream("/dead-letters/written-by-1d69e83.json")) {
      sample = new ObjectMapper().readTree(in);
    }
    // The topic as the old version left it: compacted, one partition, its records byte for byte.
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", config.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1)
          .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
          .all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        config.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
      for (JsonNode record : sample) {
        RecordHeaders headers = new RecordHeaders();
        record.get("headers").forEach(h -> headers.add(h.get("key").asText(),
            h.get("value").asText().getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>(topic, 0, record.get("key").asText(),
            Base64.getDecoder().decode(record.get("valueBase64").asText()), headers)).get(30, TimeUnit.SECONDS);
      }
    }
    String headId = sample.get(0).get("key").asText();
    String parkedId = sample.get(1).get("key").asText();

    try (KafkaDeadLetterStore store = KafkaDeadLetterStore.create(config);
        EventBus bus = EventBus.builder().broker(KafkaBroker.create(config)).deadLetterStore(store).build()) {
      List<DeadLetter> loaded = store.list("stock");
      assertThat(loaded).extracting(DeadLetter::id).containsExactly(headId, parkedId);
      DeadLetter head = loaded.get(0);
      assertThat(head.key()).isEqualTo("order-old-1");
      assertThat(head.type()).isEqualTo(OutOfStock.TYPE.name());
      assertThat(head.reason()).isEqualTo("java.lang.IllegalStateException: stock service is broken");
      assertThat(head.attempts()).isEqualTo(2);
      assertThat(head.isFailure()).isTrue();
      assertThat(head.headers()).containsEntry("subject", "order-old-1");
      DeadLetter parked = loaded.get(1);
      assertThat(parked.parkedBehind()).isEqualTo(headId);
      assertThat(parked.eventId()).isEqualTo(sample.get(1).get("headers").get(3).get("value").asText());
      assertThat(store.isBlocked("stock", "order-old-1")).isTrue();
      assertThat(store.blocking("stock", "order-old-1")).extracting(DeadLetter::id).containsExactly(headId, parkedId);

      List<Integer> handled = new CopyOnWriteArrayList<>();
      bus.subscribe(ConsumerGroup.builder("stock").build(), EventHandlers.builder()
          .on(OutOfStock.TYPE, (e, ctx) -> handled.add(e.requested())).build());
      RedriveResult result = bus.deadLetters().redrive(headId);
      assertThat(result.handled()).isTrue();
      assertThat(result.released()).isEqualTo(1);
      assertThat(handled).as("the old failure, then the record parked behind it").containsExactly(1, 2);
      assertThat(store.list()).isEmpty();
      assertThat(store.isBlocked("stock", "order-old-1")).isFalse();
    }
  }
}
