package dev.oms.bench;

import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.EventBus;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.EventHandlers;
import dev.oms.codec.EventCodec;
import dev.oms.event.EventIds;
import dev.oms.event.EventMetadata;
import dev.oms.event.Money;
import dev.oms.event.OrderCreated;
import dev.oms.kafka.KafkaBroker;
import dev.oms.kafka.internal.CloudEventsHeaders;
import dev.oms.kafka.KafkaBrokerConfig;
import dev.oms.kafka.local.LocalKafka;
import dev.oms.kafka.local.LocalKafkaCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * OMS's Kafka adapter vs raw kafka-clients on a real single-node Kafka 4.1.1 (KRaft, started by
 * {@link LocalKafka} in a child JVM at trial setup, stopped at trial teardown), records per second.
 *
 * <p>Every trial first puts {@value #BROKER_WARM_UP} records through the broker (raw producer and
 * consumer, a scratch topic), so its JIT starts from the same point whatever is measured. Same
 * broker setup, same topic shape ({@value #PARTITIONS} partitions, a new topic per trial),
 * same record (an {@link OrderCreated} with a fresh event id, keyed by order id), same producer
 * settings (the adapter's: {@code acks=all}, idempotence, {@code linger.ms=5}, 5 in flight) and
 * consumer settings (manual commits, {@code max.poll.records=500}, cooperative-sticky).
 *
 * <ul>
 *   <li>{@code produce}: each invocation sends {@value #BATCH} records and waits for every ack.
 *       {@code oms} = {@code EventBus.publish} on a started {@link KafkaBroker} (CloudEvents binary
 *       mode: the codec encodes the data, the adapter maps the attributes to {@code ce_*} headers);
 *       {@code raw} = a {@code KafkaProducer<String, byte[]>} sending one pre-encoded CloudEvents
 *       JSON of the same event; {@code rawCodec} = the raw producer encoding every event with OMS's
 *       codec in the adapter's binding (binary mode, {@code ce_*} headers), so what remains between
 *       it and {@code oms} is the runtime and the adapter, not JSON.</li>
 *   <li>{@code endToEnd}: each invocation publishes {@value #BATCH} records and waits until a
 *       consumer group handled all of them. {@code oms} = an {@code EventBus} subscription (group of
 *       concurrency {@value #CONCURRENCY}, default delivery policy: dedup on, commits every 200 ms);
 *       {@code raw} = one thread's {@code KafkaConsumer} poll loop, counting each record,
 *       {@code commitAsync} after every poll; {@code rawCodec} = the same, encoding every event on
 *       the producer side and decoding every record on the consumer side as the adapter does
 *       (headers to attributes, then the binary-mode data, with OMS's codec). Each
 *       handler folds the record into a {@link Completion}.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class KafkaBenchmark {
  static final int BATCH = 5_000;
  static final int PARTITIONS = 12;
  static final int CONCURRENCY = 4;
  static final int BROKER_WARM_UP = 200_000;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Param({"oms", "raw", "rawCodec"})
  public String impl;

  private final EventCodec codec = EventCodec.ofDefaults();
  private LocalKafkaCluster kafka;
  private String topic;
  private EventBus bus;
  private KafkaProducer<String, byte[]> producer;
  private RawConsumer rawConsumer;
  private Completion completion;
  private byte[] preEncoded;
  private long seq;
  private long published;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) throws Exception {
    try {
      boolean endToEnd = params.getBenchmark().endsWith(".endToEnd");
      kafka = LocalKafka.ofDefaults().start();
      warmUpBroker();
      topic = "bench." + (endToEnd ? "e2e" : "produce") + "." + impl + "." + UUID.randomUUID();
      createTopic(topic);
      completion = new Completion();
      preEncoded = codec.encode(event(-1));
      if (impl.equals("oms")) {
        KafkaBrokerConfig.Builder config = KafkaBrokerConfig.builder()
            .bootstrapServers(kafka.bootstrapServers()).topic(topic).partitions(PARTITIONS);
        // A/B knobs of the adapter's consumer side (defaults unless set, e.g. via -jvmArgsAppend).
        Integer maxInFlight = Integer.getInteger("oms.bench.kafka.maxInFlight");
        if (maxInFlight != null) {
          config.maxInFlightPerGroup(maxInFlight);
        }
        Integer pollMillis = Integer.getInteger("oms.bench.kafka.pollTimeoutMs");
        if (pollMillis != null) {
          config.pollTimeout(Duration.ofMillis(pollMillis));
        }
        bus = EventBus.builder().broker(KafkaBroker.create(config.build())).codec(codec).build();
        if (endToEnd) {
          bus.subscribe(ConsumerGroup.builder("bench").concurrency(CONCURRENCY).policy(Fixtures.policy()).build(),
              EventHandlers.builder().on(OrderCreated.TYPE, (e, ctx) -> completion.arrive(e)).build());
        }
      } else {
        producer = new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer());
        if (endToEnd) {
          rawConsumer = new RawConsumer(impl.equals("rawCodec"));
          rawConsumer.start();
        }
      }
      // One record through before measuring: the producer has its metadata and id, the group its partitions.
      sendBatch(1);
      if (endToEnd) {
        completion.await(published);
      }
    } catch (Exception | Error e) {
      tearDown();
      throw e;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      if (bus != null) {
        bus.close(Duration.ofSeconds(10));
      }
    } catch (RuntimeException e) {
      System.err.println("closing the event bus: " + e);
    }
    try {
      if (rawConsumer != null) {
        rawConsumer.close();
      }
    } catch (RuntimeException | InterruptedException e) {
      System.err.println("closing the raw consumer: " + e);
    }
    try {
      if (producer != null) {
        producer.close(Duration.ofSeconds(10));
      }
    } catch (RuntimeException e) {
      System.err.println("closing the raw producer: " + e);
    }
    if (kafka != null) {
      kafka.close();
    }
    bus = null;
    rawConsumer = null;
    producer = null;
    kafka = null;
  }

  /** {@value #BATCH} records sent, every ack received. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void produce() throws InterruptedException {
    sendBatch(BATCH);
  }

  /** {@value #BATCH} records sent (every ack received) and handled by the consumer group. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void endToEnd() throws InterruptedException {
    sendBatch(BATCH);
    completion.await(published);
  }

  // ---- sending ----

  private void sendBatch(int n) throws InterruptedException {
    CountDownLatch acks = new CountDownLatch(n);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long s = seq;
    switch (impl) {
      case "oms" -> {
        for (int i = 0; i < n; i++) {
          bus.publish(event(s++)).whenComplete((v, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            }
            acks.countDown();
          });
        }
      }
      case "raw", "rawCodec" -> {
        boolean encode = impl.equals("rawCodec");
        Callback callback = (metadata, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
          acks.countDown();
        };
        for (int i = 0; i < n; i++) {
          long k = s++;
          if (encode) { // the adapter's default binding: CloudEvents binary mode, attributes as ce_* headers
            OrderCreated event = event(k);
            EventCodec.BinaryEvent binary = codec.encodeBinary(event);
            producer.send(new ProducerRecord<>(topic, null, event.orderId(), binary.data(),
                CloudEventsHeaders.binary(binary)), callback);
          } else {
            producer.send(new ProducerRecord<>(topic, orderId(k), preEncoded), callback);
          }
        }
      }
      default -> throw new IllegalArgumentException(impl);
    }
    seq = s;
    published += n;
    if (!acks.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
      throw new IllegalStateException("stuck: " + acks.getCount() + " of " + n + " sends unacknowledged after " + WAIT);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a send failed", failure.get());
    }
  }

  // ---- the record: an OrderCreated with a fresh event id (deduplication must never see a repeat) ----

  private static final int ORDER_IDS = 1 << 12;
  private static final String[] ORDER_ID_POOL = new String[ORDER_IDS];
  private static final Instant AT = Instant.parse("2026-11-27T09:00:00Z");
  private static final String TRACEPARENT = EventIds.newTraceparent();
  private static final Money TOTAL = Money.of(1_999, "USD");

  static {
    for (int i = 0; i < ORDER_IDS; i++) {
      ORDER_ID_POOL[i] = "order-" + i;
    }
  }

  private static String orderId(long seq) {
    return ORDER_ID_POOL[(int) seq & (ORDER_IDS - 1)];
  }

  static OrderCreated event(long seq) {
    String id = "evt-" + seq;
    return new OrderCreated(new EventMetadata(id, orderId(seq), AT, id, id, TRACEPARENT), Fixtures.CUSTOMER,
        Fixtures.LINES, TOTAL, Fixtures.PAYMENT);
  }

  // ---- raw clients: the adapter's settings ----

  private Map<String, Object> common() {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return props;
  }

  private Map<String, Object> producerProperties() {
    Map<String, Object> props = common();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    return props;
  }

  private Map<String, Object> consumerProperties() {
    Map<String, Object> props = common();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "raw.bench");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 32 * 1024); // the adapter's fetch settings
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 25);
    return props;
  }

  /**
   * The same work for the broker's JIT whatever {@code impl} is: {@value #BROKER_WARM_UP} records
   * produced to a scratch topic and read back, before this trial's topic exists.
   */
  private void warmUpBroker() throws Exception {
    String scratch = "bench.warmup." + UUID.randomUUID();
    createTopic(scratch);
    byte[] value = codec.encode(event(-2));
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < BROKER_WARM_UP; i++) {
        p.send(new ProducerRecord<>(scratch, orderId(i), value));
      }
      p.flush();
    }
    Map<String, Object> props = common();
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new java.util.ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        partitions.add(new TopicPartition(scratch, p));
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      long read = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (read < BROKER_WARM_UP) {
        read += c.poll(Duration.ofMillis(100)).count();
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("broker warm-up: read " + read + " of " + BROKER_WARM_UP + " records");
        }
      }
    }
  }

  /** Creates a topic of {@value #PARTITIONS} partitions and waits until every partition's leader serves it. */
  private void createTopic(String topic) throws Exception {
    KafkaTopics.create(common(), topic, PARTITIONS, (short) 1);
  }

  /** One thread's poll loop: handle every record, then commit what was polled (async; sync on close). */
  private final class RawConsumer {
    private final KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(consumerProperties(), new StringDeserializer(), new ByteArrayDeserializer());
    private final boolean decode;
    private final Thread thread = new Thread(this::loop, "raw-kafka-consumer");
    private volatile boolean closing;

    RawConsumer(boolean decode) {
      this.decode = decode;
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void loop() {
      try {
        consumer.subscribe(List.of(topic));
        while (!closing) {
          ConsumerRecords<String, byte[]> records;
          try {
            records = consumer.poll(Duration.ofMillis(100));
          } catch (WakeupException e) {
            continue;
          }
          if (records.isEmpty()) {
            continue;
          }
          for (ConsumerRecord<String, byte[]> record : records) {
            if (decode) { // as the adapter reads a binary-mode record: headers to attributes, then the data
              BrokerRecord read = CloudEventsHeaders.toBrokerRecord(record.key(), record.headers(), record.value());
              completion.arrive(codec.decodeBinary(read.headers(), read.body()));
            } else {
              completion.arrive(record.key());
            }
          }
          consumer.commitAsync();
        }
        consumer.commitSync(Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        if (!closing) {
          System.err.println("raw consumer stopped: " + e);
        }
      } finally {
        consumer.close(Duration.ofSeconds(10));
      }
    }

    void close() throws InterruptedException {
      closing = true;
      consumer.wakeup();
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }
  }
}
