package dev.oms.bench;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.codec.EventCodec;
import dev.oms.event.OrderEvent;
import dev.oms.kafka.internal.CloudEventsHeaders;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One OMS consumer group as a plain Kafka consumer group: one thread polls, and for each record of
 * a type the group handles decodes it with OMS's codec (binary mode, as the adapter hands it to the
 * runtime) and sends the events the group published for it in the recorded run. Records of other
 * types are skipped by their {@code ce_type} header, undecoded, as the adapter does. No ports, no
 * retries, no waiting for acks; offsets are committed asynchronously every {@value #COMMIT_MILLIS} ms.
 */
final class FlowGroup {

  /** The adapter's default poll timeout. */
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long COMMIT_MILLIS = 100;

  private final String name;
  private final Set<String> types;
  private final Map<String, List<OrderEvent>> followOns;
  private final Consumer<OrderEvent> onHandled;
  private final KafkaConsumer<String, byte[]> consumer;
  private final FlowProducer producer;
  private final EventCodec codec;
  private final String topic;
  private final int partitions;
  private final Thread thread;
  private volatile boolean assigned;
  private volatile boolean closing;
  private volatile RuntimeException failure;
  // Written by the poll thread only; volatile so the main thread can watch progress.
  private volatile long read;
  private volatile long handled;
  private volatile long lastReadNanos;

  /**
   * @param name the OMS group name; the Kafka group id is {@code groupIdPrefix + name}
   * @param followOns cause event id to the events this group publishes for it
   * @param onHandled called with every decoded event the group handles (the probe's completion), or null
   */
  FlowGroup(String name, Set<String> types, Map<String, List<OrderEvent>> followOns, Consumer<OrderEvent> onHandled,
      String bootstrapServers, String groupIdPrefix, String topic, int partitions, FlowProducer producer,
      EventCodec codec) {
    this.name = name;
    this.types = types;
    this.followOns = followOns;
    this.onHandled = onHandled;
    this.consumer = new KafkaConsumer<>(properties(bootstrapServers, groupIdPrefix + name), new StringDeserializer(),
        new ByteArrayDeserializer());
    this.producer = producer;
    this.codec = codec;
    this.topic = topic;
    this.partitions = partitions;
    this.thread = new Thread(this::pollLoop, "flow-" + name);
    this.thread.setDaemon(true);
  }

  /** Copied from {@code KafkaBroker.consumerProperties(group)}: manual commits, earliest, cooperative-sticky, 500 per poll. */
  static Map<String, Object> properties(String bootstrapServers, String groupId) {
    Map<String, Object> props = new HashMap<>();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 32 * 1024); // the adapter's settings
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 25);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "oms-flow-" + groupId);
    return props;
  }

  void start() {
    thread.start();
  }

  private void pollLoop() {
    try {
      consumer.subscribe(List.of(topic), new AssignmentWatch());
      long lastCommit = System.nanoTime();
      boolean uncommitted = false;
      while (!closing) {
        ConsumerRecords<String, byte[]> records;
        try {
          records = consumer.poll(POLL);
        } catch (WakeupException e) {
          continue; // close() woke us
        }
        for (ConsumerRecord<String, byte[]> record : records) {
          String type = CloudEventsHeaders.type(record.headers());
          if (type == null || types.contains(type)) {
            handle(record);
          }
        }
        long now = System.nanoTime();
        if (!records.isEmpty()) {
          read += records.count();
          lastReadNanos = now;
          uncommitted = true;
        }
        if (uncommitted && now - lastCommit >= TimeUnit.MILLISECONDS.toNanos(COMMIT_MILLIS)) {
          consumer.commitAsync(); // the positions of the last poll; the next commit covers a failed one
          lastCommit = now;
          uncommitted = false;
        }
      }
      try {
        consumer.commitSync(Duration.ofSeconds(10));
      } catch (WakeupException e) {
        consumer.commitSync(Duration.ofSeconds(10)); // close()'s wakeup landed here, not in poll
      }
    } catch (RuntimeException e) {
      if (!closing) {
        failure = e;
      }
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    // The adapter's path from record to event: headers to attributes, then the codec's binary decode.
    BrokerRecord brokerRecord = CloudEventsHeaders.toBrokerRecord(record.key(), record.headers(), record.value());
    OrderEvent event = codec.decodeBinary(brokerRecord.headers(), brokerRecord.body());
    List<OrderEvent> next = followOns.get(event.eventId());
    if (next != null) {
      for (OrderEvent e : next) {
        producer.send(topic, e);
      }
    }
    if (onHandled != null) {
      onHandled.accept(event);
    }
    handled++;
  }

  /** Marks the group ready once it owns every partition of the topic. */
  private final class AssignmentWatch implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> added) {
      assigned = consumer.assignment().size() == partitions;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      assigned = false;
    }
  }

  /** Stops polling, commits what was read, and leaves the group. */
  void close() throws InterruptedException {
    closing = true;
    consumer.wakeup();
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }

  String name() {
    return name;
  }

  Set<String> types() {
    return types;
  }

  boolean assigned() {
    return assigned;
  }

  long read() {
    return read;
  }

  long handled() {
    return handled;
  }

  long lastReadNanos() {
    return lastReadNanos;
  }

  /** What stopped the poll loop, or null. */
  RuntimeException failure() {
    return failure;
  }
}
