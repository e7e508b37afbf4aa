package dev.oms.bench;

import dev.oms.codec.EventCodec;
import dev.oms.event.OrderEvent;
import dev.oms.kafka.internal.CloudEventsHeaders;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends events as the OMS Kafka adapter does, minus the runtime: CloudEvents binary mode (OMS's
 * codec encodes the data, {@link CloudEventsHeaders#binary} maps the attributes to {@code ce_*}
 * headers), keyed by order id, one producer shared by every group (the adapter has one per
 * broker). Sends never wait: an ack only counts, and a failed one stops the run.
 */
final class FlowProducer implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final EventCodec codec;
  private final LongAdder sent = new LongAdder();
  private final LongAdder acked = new LongAdder();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Callback onAck = (metadata, error) -> {
    if (error != null) {
      failure.compareAndSet(null, error);
    } else {
      acked.increment();
    }
  };

  FlowProducer(String bootstrapServers, EventCodec codec) {
    this.producer = new KafkaProducer<>(properties(bootstrapServers), new StringSerializer(), new ByteArraySerializer());
    this.codec = codec;
  }

  /**
   * Copied from {@code KafkaBroker.producerProperties()} (the adapter's defaults), so both sides
   * batch and acknowledge alike: acks=all, idempotence, 5 requests in flight, linger 1 ms, and the
   * same timeouts.
   */
  static Map<String, Object> properties(String bootstrapServers) {
    Map<String, Object> props = new HashMap<>();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5); // the adapter's setting
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "oms-flow-harness-producer");
    return props;
  }

  /** Encodes and sends one event to {@code topic}; returns at once (the ack arrives later). */
  void send(String topic, OrderEvent event) {
    EventCodec.BinaryEvent binary = codec.encodeBinary(event);
    producer.send(new ProducerRecord<>(topic, null, event.orderId(), binary.data(), CloudEventsHeaders.binary(binary)),
        onAck);
    sent.increment();
  }

  long sent() {
    return sent.sum();
  }

  long acked() {
    return acked.sum();
  }

  /** The first failed send, or null. */
  Exception failure() {
    return failure.get();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
