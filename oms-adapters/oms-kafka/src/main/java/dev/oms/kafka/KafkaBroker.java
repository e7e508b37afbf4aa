package dev.oms.kafka;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.KeyOrder;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.codec.EventCodec;
import dev.oms.kafka.internal.CloudEventsHeaders;
import dev.oms.kafka.internal.KafkaErrors;
import dev.oms.kafka.internal.KafkaSubscription;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event bus on Apache Kafka. Records are keyed by order id on one topic; a send completes when
 * every in-sync replica has the record ({@code acks=all}, idempotent producer); each consumer group
 * commits an offset only after the records before it were handled, retries and dead-lettering
 * included. Several processes subscribing the same group share its partitions (cooperative
 * rebalancing), which is how a deployment grows past one machine.
 *
 * <pre>{@code
 * EventBroker kafka = KafkaBroker.create(KafkaBrokerConfig.builder().bootstrapServers("kafka:9092").build());
 * try (Oms oms = Oms.builder().broker(kafka).defaultConcurrency(16).build()) { ... }
 * }</pre>
 */
public final class KafkaBroker implements EventBroker {
  private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
  /** Kafka's default {@code max.request.size}. */
  private static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

  private final KafkaBrokerConfig config;
  private final Map<String, KafkaSubscription> subscriptions = new ConcurrentHashMap<>();
  private final AtomicInteger clientSequence = new AtomicInteger();
  private final int maxRecordBytes;
  private volatile BrokerContext context;
  private volatile KafkaProducer<String, byte[]> producer;
  private volatile boolean closing; // refuses new subscriptions
  private volatile boolean closed; // refuses sends

  private KafkaBroker(KafkaBrokerConfig config) {
    this.config = config;
    Object maxRequest = config.producerProperties().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    this.maxRecordBytes = maxRequest == null ? DEFAULT_MAX_REQUEST_BYTES : Integer.parseInt(maxRequest.toString());
  }

  public static KafkaBroker create(KafkaBrokerConfig config) {
    if (config == null) {
      throw new OmsException(Kind.CONFIGURATION, "Kafka broker config must not be null");
    }
    return new KafkaBroker(config);
  }

  public KafkaBrokerConfig config() {
    return config;
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public BrokerCapabilities capabilities() {
    return BrokerCapabilities.builder().durable(true).replay(true).maxRecordBytes(maxRecordBytes)
        .keyOrder(KeyOrder.NATIVE, true) // one topic keyed by order id: a partition orders every type
        .build();
  }

  @Override
  public synchronized void start(BrokerContext context) {
    if (this.context != null) {
      throw new OmsException(Kind.CONFIGURATION, "this Kafka broker was already started by an event bus");
    }
    if (config.createTopic()) {
      ensureTopic();
    }
    this.producer = new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer());
    awaitLeaders(producer);
    this.context = context;
  }

  /**
   * Waits until every partition of the topic has a leader, so the first sends do not sit in the
   * producer while a topic created a moment ago settles.
   */
  private void awaitLeaders(KafkaProducer<String, byte[]> p) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        List<org.apache.kafka.common.PartitionInfo> partitions = p.partitionsFor(config.topic());
        if (!partitions.isEmpty() && partitions.stream().allMatch(info -> info.leader() != null && !info.leader().isEmpty())) {
          return;
        }
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          p.close(Duration.ZERO);
          throw KafkaErrors.ofSend(e, "the first send to topic " + config.topic());
        }
      }
      if (System.nanoTime() > deadline) {
        p.close(Duration.ZERO);
        throw new OmsException(Kind.BROKER_UNAVAILABLE, "topic " + config.topic() + " has partitions without a leader"
            + " after 60 s (are enough brokers up for its replication factor?)");
      }
      try {
        Thread.sleep(50); // metadata refreshes on its own; nothing to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OmsException(Kind.CLOSED, "interrupted while waiting for topic " + config.topic(), e);
      }
    }
  }

  private void ensureTopic() {
    Map<String, Object> props = common();
    props.putAll(config.adminProperties());
    try (Admin admin = Admin.create(props)) {
      try {
        admin.createTopics(List.of(new NewTopic(config.topic(), config.partitions(), config.replicationFactor())))
            .all().get(60, TimeUnit.SECONDS);
        log.info("created Kafka topic {} with {} partitions", config.topic(), config.partitions());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
        TopicDescription topic = admin.describeTopics(Set.of(config.topic())).allTopicNames().get(60, TimeUnit.SECONDS)
            .get(config.topic());
        if (topic.partitions().size() < config.partitions()) {
          log.warn("Kafka topic {} has {} partitions, fewer than the {} configured: a group can use at most {} consumers",
              config.topic(), topic.partitions().size(), config.partitions(), topic.partitions().size());
        }
      }
      awaitPartitionsServing(admin);
    } catch (ExecutionException e) {
      throw KafkaErrors.ofSend(e.getCause(), "creating topic " + config.topic());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "Kafka at " + config.bootstrapServers()
          + " did not answer within 60 s while creating topic " + config.topic() + " (is it running?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OmsException(Kind.CLOSED, "interrupted while creating topic " + config.topic(), e);
    }
  }

  /**
   * Waits until every partition's leader answers for it. A topic created a moment ago can be in the
   * metadata before its leader serves it; a first produce that fails there while a later one
   * succeeds would leave an idempotent producer's sequence out of order for that partition.
   */
  private void awaitPartitionsServing(Admin admin) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        TopicDescription topic = admin.describeTopics(Set.of(config.topic())).allTopicNames()
            .get(10, TimeUnit.SECONDS).get(config.topic());
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
        topic.partitions().forEach(p -> latest.put(new org.apache.kafka.common.TopicPartition(config.topic(), p.partition()),
            org.apache.kafka.clients.admin.OffsetSpec.latest()));
        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new OmsException(Kind.BROKER_UNAVAILABLE, "the partitions of topic " + config.topic()
              + " are not served after 60 s: " + e, e);
        }
        Thread.sleep(100); // a new topic's leaders are settling; nothing to wait on
      }
    }
  }

  @Override
  public CompletionStage<Void> send(BrokerRecord record) {
    KafkaProducer<String, byte[]> p = producer;
    if (closed || p == null) {
      return CompletableFuture.failedFuture(new OmsException(Kind.CLOSED,
          p == null ? "the Kafka broker is not started" : "the Kafka broker is closed"));
    }
    ProducerRecord<String, byte[]> producerRecord;
    try {
      producerRecord = toProducerRecord(record);
    } catch (OmsException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    try {
      p.send(producerRecord, (metadata, error) -> {
        if (error == null) {
          accepted.complete(null);
        } else {
          accepted.completeExceptionally(KafkaErrors.ofSend(error, record.toString()));
        }
      });
    } catch (RuntimeException e) { // buffer full past max.block.ms, closed producer, serialization
      accepted.completeExceptionally(closed
          ? new OmsException(Kind.CLOSED, "the Kafka broker is closed", e)
          : KafkaErrors.ofSend(e, record.toString()));
    }
    return accepted;
  }

  private ProducerRecord<String, byte[]> toProducerRecord(BrokerRecord record) {
    byte[] value;
    org.apache.kafka.common.header.Headers headers;
    if (config.mode() == CloudEventsMode.BINARY) {
      EventCodec.BinaryEvent binary = context.encodeBinary(record);
      value = binary.data();
      headers = CloudEventsHeaders.binary(binary);
    } else {
      value = context.encode(record);
      headers = CloudEventsHeaders.structured(record.type());
    }
    if (value.length > maxRecordBytes) {
      throw new OmsException(Kind.OVERSIZED_EVENT, "record " + record + " is " + value.length
          + " bytes, over this Kafka producer's max.request.size of " + maxRecordBytes + " bytes");
    }
    return new ProducerRecord<>(config.topic(), null, record.key(), value, headers);
  }

  @Override
  public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
    if (closing) {
      throw new OmsException(Kind.CLOSED, "the Kafka broker is closed");
    }
    String group = request.group();
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(consumerProperties(group), new StringDeserializer(), new ByteArrayDeserializer());
    KafkaSubscription subscription = new KafkaSubscription(request, handler, context.workers(), consumer, config.topic(),
        config.maxInFlightPerGroup(), config.pollTimeout(), config.commitInterval(), config.revokeTimeout(),
        () -> subscriptions.remove(group));
    if (subscriptions.putIfAbsent(group, subscription) != null) {
      consumer.close(Duration.ZERO);
      throw new OmsException(Kind.CONFIGURATION, "group " + group + " is already subscribed on this Kafka broker");
    }
    subscription.start();
    return subscription;
  }

  /**
   * Lets each group finish the records it holds and commit, for up to {@code drainTimeout}, then
   * stops sending. Handlers finishing meanwhile can still publish their follow-on events; records
   * not yet delivered stay in Kafka for the next consumer. New subscriptions are refused at once.
   */
  @Override
  public boolean close(Duration drainTimeout) {
    synchronized (this) {
      if (closing) {
        return true;
      }
      closing = true;
    }
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    boolean drained = true;
    for (KafkaSubscription subscription : List.copyOf(subscriptions.values())) {
      drained &= subscription.close(remaining(deadline));
    }
    closed = true;
    KafkaProducer<String, byte[]> p = producer;
    if (p != null) {
      p.close(remaining(deadline)); // sends what it holds, within the time left
    }
    return drained;
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  /**
   * Stops at once, as a crashed process would: no more handling, no commits, unsent records
   * dropped. Returns only once no delivery step of this broker's groups still runs (a handler
   * already running finishes first, as it would have before a crash), so nothing of this process
   * touches an order after it returns. For fault tests; whatever was not committed is delivered
   * again to the group's next consumer.
   */
  public void abort() {
    closing = true;
    for (KafkaSubscription subscription : List.copyOf(subscriptions.values())) {
      subscription.abort();
    }
    // Only now: a handler finishing above publishes as it would have before the crash, rather
    // than seeing a closed broker and taking its record for a failure.
    closed = true;
    KafkaProducer<String, byte[]> p = producer;
    if (p != null) {
      p.close(Duration.ZERO);
    }
  }

  // ---- client properties: safe defaults, then the user's passthrough ----

  private Map<String, Object> common() {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.putAll(config.clientProperties());
    return props;
  }

  private Map<String, Object> producerProperties() {
    Map<String, Object> props = common();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    // No thread waits on one send any more (deliveries pipeline while their follow-on events are
    // acknowledged), so batches may fill for a few ms: on 2 cores the simulator's 20,000 orders went
    // from 537 orders/s at 1 ms to 784 at 5 ms (863 at 20 ms, for 4x the latency added per hop).
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // A send fails with a typed error within the bus's default publish timeout instead of hanging 2 min.
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "oms-producer-" + clientSequence.incrementAndGet());
    props.putAll(config.producerProperties());
    return props;
  }

  private Map<String, Object> consumerProperties(String group) {
    Map<String, Object> props = common();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupIdPrefix() + group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    // A poll thread only hands records on, so it would fetch again at once for a few records each
    // time: letting the broker gather 32 KiB (or 25 ms) halved the fetches per record and cut the
    // broker's and the client's CPU per order by a quarter (simulator on 2 cores), for up to 25 ms
    // more per hop when traffic is light. Override with consumer.fetch.min.bytes / fetch.max.wait.ms.
    props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 32 * 1024);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 25);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG,
        "oms-" + group + "-" + clientSequence.incrementAndGet());
    props.putAll(config.consumerProperties());
    return props;
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + config + "]";
  }
}
