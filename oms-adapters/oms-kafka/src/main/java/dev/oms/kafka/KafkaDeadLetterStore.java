package dev.oms.kafka;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.kafka.internal.KafkaErrors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Dead letters kept in a compacted Kafka topic ({@code <topic>.dead-letters}, one partition so
 * their order holds), so they survive a restart and any Kafka tool can read them: the record value
 * is the event as received, the key is the dead letter's id, and why it failed is in
 * {@code oms.dl.*} headers. Removal writes a tombstone.
 *
 * <p>Each process loads the topic when the store is created and then sees its own changes; run
 * operator actions (redrive, discard) from one process at a time.
 *
 * <pre>{@code
 * KafkaDeadLetterStore deadLetters = KafkaDeadLetterStore.create(config);
 * EventBus bus = EventBus.builder().broker(KafkaBroker.create(config)).deadLetterStore(deadLetters).build();
 * }</pre>
 */
public final class KafkaDeadLetterStore implements DeadLetterStore, AutoCloseable {
  private static final String H = "oms.dl.";
  private static final String ORIGINAL_HEADER = H + "header.";
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final KafkaProducer<String, byte[]> producer;
  private final Map<String, DeadLetter> entries = new LinkedHashMap<>();

  private KafkaDeadLetterStore(String topic, KafkaProducer<String, byte[]> producer) {
    this.topic = topic;
    this.producer = producer;
  }

  /** Creates the topic if needed and loads every dead letter in it. */
  public static KafkaDeadLetterStore create(KafkaBrokerConfig config) {
    String topic = config.topic() + ".dead-letters";
    Map<String, Object> common = new HashMap<>(config.clientProperties());
    common.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    if (config.createTopic()) {
      createTopic(config, topic, common);
    }
    Map<String, Object> producerProps = new HashMap<>(common);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.putAll(config.producerProperties());
    KafkaDeadLetterStore store = new KafkaDeadLetterStore(topic,
        new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer()));
    try {
      store.load(common, config.consumerProperties());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  private static void createTopic(KafkaBrokerConfig config, String topic, Map<String, Object> common) {
    Map<String, Object> adminProps = new HashMap<>(common);
    adminProps.putAll(config.adminProperties());
    try (Admin admin = Admin.create(adminProps)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, config.replicationFactor())
              .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
          .all().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw KafkaErrors.ofSend(e.getCause(), "creating dead-letter topic " + topic);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "Kafka did not create " + topic + " within 60 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OmsException(Kind.CLOSED, "interrupted while creating " + topic, e);
    }
  }

  private void load(Map<String, Object> common, Map<String, Object> consumerOverrides) {
    Map<String, Object> props = new HashMap<>(common);
    props.putAll(consumerOverrides);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG); // read with assign(): no group, nothing committed
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(60)).get(partition);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (consumer.position(partition, Duration.ofSeconds(60)) < end) {
        if (System.nanoTime() > deadline) {
          throw new OmsException(Kind.TIMEOUT, "reading dead-letter topic " + topic + " took over 120 s");
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.value() == null) {
            entries.remove(record.key());
          } else {
            DeadLetter dl = fromRecord(record.key(), record.headers(), record.value());
            entries.put(dl.id(), dl);
          }
        }
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      throw KafkaErrors.ofSend(e, "reading dead-letter topic " + topic);
    }
  }

  public String topic() {
    return topic;
  }

  @Override
  public synchronized void add(DeadLetter deadLetter) {
    write(deadLetter.id(), toHeaders(deadLetter), deadLetter.body());
    entries.put(deadLetter.id(), deadLetter);
  }

  @Override
  public synchronized boolean park(DeadLetter parked) {
    if (!isBlocked(parked.group(), parked.key())) {
      return false;
    }
    add(parked);
    return true;
  }

  @Override
  public synchronized List<DeadLetter> list(String group) {
    List<DeadLetter> result = new ArrayList<>();
    for (DeadLetter dl : entries.values()) {
      if (dl.group().equals(group)) {
        result.add(dl);
      }
    }
    return result;
  }

  @Override
  public synchronized List<DeadLetter> blocking(String group, String key) {
    List<DeadLetter> result = new ArrayList<>();
    for (DeadLetter dl : entries.values()) {
      if (dl.group().equals(group) && key != null && key.equals(dl.key())) {
        result.add(dl);
      }
    }
    return result;
  }

  @Override
  public synchronized boolean isBlocked(String group, String key) {
    return !blocking(group, key).isEmpty();
  }

  @Override
  public synchronized Optional<DeadLetter> get(String id) {
    return Optional.ofNullable(entries.get(id));
  }

  @Override
  public synchronized void update(DeadLetter deadLetter) {
    if (!entries.containsKey(deadLetter.id())) {
      return;
    }
    write(deadLetter.id(), toHeaders(deadLetter), deadLetter.body());
    entries.put(deadLetter.id(), deadLetter);
  }

  @Override
  public synchronized List<DeadLetter> list() {
    return new ArrayList<>(entries.values());
  }

  @Override
  public synchronized boolean remove(String id) {
    if (!entries.containsKey(id)) {
      return false;
    }
    write(id, new RecordHeaders(), null);
    entries.remove(id);
    return true;
  }

  /** Waits for Kafka's acknowledgement: a dead letter must never exist only in memory. */
  private void write(String id, Headers headers, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topic, null, id, value, headers))
          .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw KafkaErrors.ofSend(e.getCause(), "dead letter " + id);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "Kafka did not store dead letter " + id + " within "
          + WRITE_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OmsException(Kind.CLOSED, "interrupted while storing dead letter " + id, e);
    }
  }

  private static Headers toHeaders(DeadLetter dl) {
    RecordHeaders headers = new RecordHeaders();
    put(headers, H + "group", dl.group());
    put(headers, H + "key", dl.key());
    put(headers, H + "type", dl.type());
    put(headers, H + "event-id", dl.eventId());
    put(headers, H + "reason", dl.reason());
    put(headers, H + "attempts", Integer.toString(dl.attempts()));
    put(headers, H + "at", dl.deadLetteredAt().toString());
    put(headers, H + "parked-behind", dl.parkedBehind());
    dl.headers().forEach((name, value) -> put(headers, ORIGINAL_HEADER + name, value));
    return headers;
  }

  private static void put(RecordHeaders headers, String name, String value) {
    if (value != null) {
      headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static DeadLetter fromRecord(String id, Headers headers, byte[] body) {
    Map<String, String> original = new HashMap<>();
    Map<String, String> meta = new HashMap<>();
    for (Header header : headers) {
      if (header.value() == null) {
        continue;
      }
      String value = new String(header.value(), StandardCharsets.UTF_8);
      if (header.key().startsWith(ORIGINAL_HEADER)) {
        original.put(header.key().substring(ORIGINAL_HEADER.length()), value);
      } else if (header.key().startsWith(H)) {
        meta.put(header.key().substring(H.length()), value);
      }
    }
    String group = meta.get("group");
    String reason = meta.get("reason");
    if (group == null || reason == null || meta.get("at") == null) {
      // Written by something else: kept visible rather than dropped, so an operator can discard it.
      return new DeadLetter(id, group == null ? "unknown" : group, meta.get("key"), meta.get("type"),
          meta.get("event-id"), body, original, "unreadable dead-letter record: missing oms.dl headers", 0,
          Instant.EPOCH, null);
    }
    try {
      return new DeadLetter(id, group, meta.get("key"), meta.get("type"), meta.get("event-id"), body, original, reason,
          Integer.parseInt(meta.getOrDefault("attempts", "0")), Instant.parse(meta.get("at")), meta.get("parked-behind"));
    } catch (RuntimeException e) {
      return new DeadLetter(id, group, meta.get("key"), meta.get("type"), meta.get("event-id"), body, original,
          "unreadable dead-letter record (" + e.getClass().getSimpleName() + "); first reason: " + reason, 0,
          Instant.EPOCH, null);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }

  @Override
  public String toString() {
    return "KafkaDeadLetterStore[" + topic + "]";
  }

}
