package dev.oms.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.EventMetadata;
import dev.oms.event.OutOfStock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** What other Kafka clients see and may send: the CloudEvents Kafka protocol binding, both modes. */
class CloudEventsBindingTest {

  private static OutOfStock event(String orderId) {
    return new OutOfStock(EventMetadata.first(orderId, null), "SKU-1", 3, 0);
  }

  @Test
  void binaryModePutsAttributesInCeHeadersAndOnlyTheDataInTheValue() throws Exception {
    KafkaBrokerConfig config = SharedKafka.config(SharedKafka.uniqueNamespace("bin")).build();
    OutOfStock event = event("o-b");
    ConsumerRecord<String, byte[]> record = publishAndReadRaw(config, event);

    Map<String, String> headers = headers(record);
    assertThat(record.key()).isEqualTo("o-b");
    assertThat(headers).containsEntry("ce_id", event.eventId()).containsEntry("ce_type", OutOfStock.TYPE.name())
        .containsEntry("ce_subject", "o-b").containsEntry("ce_specversion", "1.0")
        .containsEntry("content-type", "application/json").containsKey("ce_traceparent");
    String value = new String(record.value(), StandardCharsets.UTF_8);
    assertThat(value).contains("\"sku\":\"SKU-1\"").doesNotContain("specversion");
  }

  @Test
  void structuredModeSendsTheWholeCloudEventAsTheValue() throws Exception {
    KafkaBrokerConfig config = SharedKafka.config(SharedKafka.uniqueNamespace("str"))
        .mode(CloudEventsMode.STRUCTURED).build();
    OutOfStock event = event("o-s");
    ConsumerRecord<String, byte[]> record = publishAndReadRaw(config, event);

    assertThat(headers(record).get("content-type")).startsWith("application/cloudevents+json");
    assertThat(new String(record.value(), StandardCharsets.UTF_8))
        .contains("\"specversion\":\"1.0\"").contains("\"id\":\"" + event.eventId() + "\"").contains("\"data\":{");
  }

  @Test
  void recordsFromOtherProducersAreHandledAndGarbageIsDeadLetteredWithoutStoppingTheGroup() throws Exception {
    KafkaBrokerConfig config = SharedKafka.config(SharedKafka.uniqueNamespace("foreign")).build();
    List<OutOfStock> handled = new CopyOnWriteArrayList<>();
    try (EventBus bus = EventBus.builder().broker(KafkaBroker.create(config)).build()) {
      bus.subscribe(ConsumerGroup.named("stock"),
          EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> handled.add(e)).build());
      OutOfStock structured = event("o-f1");
      byte[] json = bus.codec().encode(structured);
      try (KafkaProducer<String, byte[]> raw = rawProducer(config)) {
        // A structured CloudEvent with no headers at all, then garbage labelled with a type we handle.
        raw.send(new ProducerRecord<>(config.topic(), "o-f1", json)).get(30, TimeUnit.SECONDS);
        ProducerRecord<String, byte[]> garbage = new ProducerRecord<>(config.topic(), "o-f2",
            "{not json".getBytes(StandardCharsets.UTF_8));
        garbage.headers().add("ce_type", OutOfStock.TYPE.name().getBytes(StandardCharsets.UTF_8));
        garbage.headers().add("ce_id", "foreign-1".getBytes(StandardCharsets.UTF_8));
        raw.send(garbage).get(30, TimeUnit.SECONDS);
      }
      OutOfStock after = event("o-f3");
      bus.publish(after).toCompletableFuture().get(30, TimeUnit.SECONDS);

      await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() == 2 && bus.deadLetters().list().size() == 1);
      assertThat(handled).containsExactlyInAnyOrder(structured, after);
      DeadLetter dl = bus.deadLetters().list().get(0);
      assertThat(dl.reason()).startsWith("MALFORMED_EVENT");
      assertThat(dl.key()).isEqualTo("o-f2");
      assertThat(dl.eventId()).isEqualTo("foreign-1");
    }
  }

  private static ConsumerRecord<String, byte[]> publishAndReadRaw(KafkaBrokerConfig config, OutOfStock event)
      throws Exception {
    try (EventBus bus = EventBus.builder().broker(KafkaBroker.create(config)).build()) {
      bus.publish(event).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupIdPrefix() + "raw-reader");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(config.topic()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          return record;
        }
      }
    }
    throw new AssertionError("nothing to read on " + config.topic());
  }

  private static KafkaProducer<String, byte[]> rawProducer(KafkaBrokerConfig config) {
    Properties p = new Properties();
    p.put("bootstrap.servers", config.bootstrapServers());
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static Map<String, String> headers(ConsumerRecord<String, byte[]> record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }
}
