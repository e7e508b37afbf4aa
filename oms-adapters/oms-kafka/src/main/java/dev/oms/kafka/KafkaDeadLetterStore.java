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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters, and the records parked behind them, kept in a compacted Kafka topic
 * ({@code <topic>.dead-letters}, one partition so their order holds): the <em>blocking state</em>
 * every process running a group shares. The record value is the event as received, the key is the
 * dead letter's id, and why it failed is in {@code oms.dl.*} headers; removal writes a tombstone.
 *
 * <p>Each process keeps an index of the whole topic in memory (per group in insertion order, per
 * group and order for {@link #isBlocked}, which costs two hash lookups and no lock), and a
 * background reader tails the topic, so changes other processes make show up within a moment.
 * Writes wait for Kafka's acknowledgement, then apply locally (the reader skips them when it gets
 * there). {@link #refresh()} reads up to the end of the topic as of the call before it returns: the
 * delivery runtime calls it whenever a process is assigned partitions, so a new owner sees the
 * dead letters the previous owner wrote before it committed past them. {@link #park} is atomic
 * within a process (the check that the order is still blocked, the write and the index change
 * happen under one lock); across processes a group's partitions have one owner at a time.
 *
 * <p>Bounded: at most {@link KafkaBrokerConfig#maxDeadLetters()} entries (every group together);
 * past it {@link #add} and {@link #park} refuse with {@code DEAD_LETTERS_FULL}, never dropping one.
 *
 * <pre>{@code
 * KafkaDeadLetterStore deadLetters = KafkaDeadLetterStore.create(config);
 * EventBus bus = EventBus.builder().broker(KafkaBroker.create(config)).deadLetterStore(deadLetters).build();
 * }</pre>
 */
public final class KafkaDeadLetterStore implements DeadLetterStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaDeadLetterStore.class);
  private static final String H = "oms.dl.";
  private static final String ORIGINAL_HEADER = H + "header.";
  /**
   * Where an entry stands in insertion order: the offset of its first write. An update is a new
   * record at a later offset (compaction keeps only that one), so the position travels with it.
   * Records without it (written by earlier versions) stand at their own offset.
   */
  private static final String SEQ_HEADER = H + "seq";
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(60);

  private final String topic;
  private final TopicPartition partition;
  private final int maxEntries;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer; // the reader thread's only
  private final Admin admin;
  private final Thread reader;

  // ---- the index: guarded by this, except the blocked maps' lock-free reads ----
  private final Map<String, Entry> byId = new HashMap<>();
  private final TreeMap<Long, DeadLetter> all = new TreeMap<>();
  private final Map<String, TreeMap<Long, DeadLetter>> byGroup = new HashMap<>();
  /** group -> order -> its entries' ids by position; containsKey is read without the lock. */
  private final Map<String, ConcurrentHashMap<String, TreeMap<Long, String>>> blocked = new ConcurrentHashMap<>();
  private volatile int blockedOrders;
  /** Ids this process wrote at offsets the reader has not reached: the reader skips what is not newer. */
  private final Map<String, Long> appliedAhead = new HashMap<>();
  /** The next offset the reader will apply. */
  private long readThrough;
  private final AtomicLong refusals = new AtomicLong();
  private volatile boolean closed;
  private volatile RuntimeException readerFailure;

  private record Entry(DeadLetter deadLetter, long seq, long offset) {}

  private KafkaDeadLetterStore(String topic, int maxEntries, KafkaProducer<String, byte[]> producer,
      KafkaConsumer<String, byte[]> consumer, Admin admin) {
    this.topic = topic;
    this.partition = new TopicPartition(topic, 0);
    this.maxEntries = maxEntries;
    this.producer = producer;
    this.consumer = consumer;
    this.admin = admin;
    this.reader = new Thread(this::read, "oms-kafka-dead-letters-" + topic);
    this.reader.setDaemon(true);
  }

  /** Creates the topic if needed, loads every dead letter in it and keeps following it. */
  public static KafkaDeadLetterStore create(KafkaBrokerConfig config) {
    String topic = config.topic() + ".dead-letters";
    Map<String, Object> common = new HashMap<>(config.clientProperties());
    common.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    Map<String, Object> adminProps = new HashMap<>(common);
    adminProps.putAll(config.adminProperties());
    Admin admin = Admin.create(adminProps);
    KafkaProducer<String, byte[]> producer = null;
    KafkaConsumer<String, byte[]> consumer = null;
    try {
      if (config.createTopic()) {
        createTopic(admin, config, topic);
      }
      Map<String, Object> producerProps = new HashMap<>(common);
      producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
      producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0); // each write is waited for
      producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis());
      producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
      producerProps.putAll(config.producerProperties());
      producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
      Map<String, Object> consumerProps = new HashMap<>(common);
      consumerProps.putAll(config.consumerProperties());
      consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG); // read with assign(): no group, nothing committed
      consumerProps.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
      consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
    } catch (RuntimeException e) {
      if (consumer != null) {
        consumer.close(Duration.ZERO);
      }
      if (producer != null) {
        producer.close(Duration.ZERO);
      }
      admin.close(Duration.ZERO);
      throw e instanceof OmsException ? e : KafkaErrors.ofSend(e, "opening dead-letter topic " + topic);
    }
    KafkaDeadLetterStore store = new KafkaDeadLetterStore(topic, config.maxDeadLetters(), producer, consumer, admin);
    store.reader.start(); // from here on the store owns the clients: close() releases them
    try {
      store.refresh();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  private static void createTopic(Admin admin, KafkaBrokerConfig config, String topic) {
    try {
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

  public String topic() {
    return topic;
  }

  /** The most entries this store holds before refusing more. */
  public int maxEntries() {
    return maxEntries;
  }

  /** Entries stored now, as this process sees them. */
  public synchronized int size() {
    return byId.size();
  }

  /** How many entries were refused because the bound was reached. */
  public long refusals() {
    return refusals.get();
  }

  // ---- the reader ----

  private void read() {
    long backoff = 100;
    while (!closed) {
      try {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
        long position = consumer.position(partition, Duration.ofSeconds(10));
        synchronized (this) {
          for (ConsumerRecord<String, byte[]> record : records) {
            applyRead(record);
          }
          readThrough = Math.max(readThrough, position);
          readerFailure = null;
          notifyAll();
        }
        backoff = 100;
      } catch (WakeupException e) {
        // refresh() or close(): look again
      } catch (RuntimeException e) {
        if (closed) {
          break;
        }
        readerFailure = e instanceof OmsException oms ? oms : KafkaErrors.ofSend(e, "reading dead-letter topic " + topic);
        log.warn("reading dead-letter topic {} failed; trying again in {} ms: {}", topic, backoff, e.toString());
        synchronized (this) {
          notifyAll();
          try {
            wait(backoff);
          } catch (InterruptedException interrupted) {
            break;
          }
        }
        backoff = Math.min(5_000, backoff * 2);
      }
    }
    try {
      consumer.close(Duration.ZERO);
    } catch (RuntimeException e) {
      log.debug("closing the dead-letter reader: {}", e.toString());
    }
  }

  /** A record the reader got to (under the lock). */
  private void applyRead(ConsumerRecord<String, byte[]> record) {
    String id = record.key();
    readThrough = record.offset() + 1;
    if (id == null) {
      return; // not ours: a dead letter always has an id
    }
    Long ahead = appliedAhead.get(id);
    if (ahead != null) {
      if (record.offset() < ahead) {
        return; // this process already applied a newer write of it
      }
      appliedAhead.remove(id);
      if (record.offset() == ahead) {
        return; // this process's own write, applied when Kafka acknowledged it
      }
    }
    if (record.value() == null) {
      unindex(id);
    } else {
      DeadLetter dl = fromRecord(id, record.headers(), record.value());
      index(dl, seqOf(record.headers(), record.offset()), record.offset());
    }
  }

  private static long seqOf(Headers headers, long offset) {
    Header seq = headers.lastHeader(SEQ_HEADER);
    if (seq == null || seq.value() == null) {
      return offset;
    }
    try {
      return Long.parseLong(new String(seq.value(), StandardCharsets.UTF_8));
    } catch (NumberFormatException e) {
      return offset;
    }
  }

  /**
   * Returns once this process's view includes every change written to the topic before the call
   * (by any process), or throws {@code BROKER_UNAVAILABLE} when Kafka cannot tell or the reader
   * cannot get there within a minute.
   */
  @Override
  public void refresh() {
    long end;
    try {
      end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
          .get(REFRESH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).offset();
    } catch (ExecutionException e) {
      throw KafkaErrors.ofSend(e.getCause(), "reading the end of dead-letter topic " + topic);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "Kafka did not tell the end of " + topic + " within "
          + REFRESH_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OmsException(Kind.CLOSED, "interrupted while refreshing " + topic, e);
    }
    long deadline = System.nanoTime() + REFRESH_TIMEOUT.toNanos();
    synchronized (this) {
      while (readThrough < end) {
        if (closed) {
          throw new OmsException(Kind.CLOSED, "the dead-letter store " + topic + " is closed");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          RuntimeException failure = readerFailure;
          throw new OmsException(Kind.BROKER_UNAVAILABLE, "the dead-letter store did not read " + topic + " up to offset "
              + end + " within " + REFRESH_TIMEOUT.toSeconds() + " s (at " + readThrough + ")"
              + (failure == null ? "" : ": " + failure.getMessage()), failure);
        }
        consumer.wakeup(); // the reader may sit in a poll that started before these records were written
        try {
          TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new OmsException(Kind.CLOSED, "interrupted while refreshing " + topic, e);
        }
      }
    }
  }

  // ---- DeadLetterStore ----

  @Override
  public synchronized void add(DeadLetter deadLetter) {
    Entry previous = byId.get(deadLetter.id());
    if (previous == null) {
      requireRoom(deadLetter);
    }
    write(deadLetter, previous == null ? -1 : previous.seq);
  }

  @Override
  public synchronized boolean park(DeadLetter parked) {
    if (parked.key() == null || !isBlocked(parked.group(), parked.key())) {
      return false;
    }
    requireRoom(parked);
    write(parked, -1);
    return true;
  }

  private void requireRoom(DeadLetter dl) {
    if (byId.size() >= maxEntries) {
      long n = refusals.incrementAndGet();
      if (n == 1 || n % 1000 == 0) {
        log.warn("dead-letter store {} full ({} of {} entries): refused {} ({} refusals so far); redrive or discard "
            + "dead letters to make room", topic, byId.size(), maxEntries, dl, n);
      }
      throw new OmsException(Kind.DEAD_LETTERS_FULL, "the dead-letter store " + topic + " is full (" + byId.size()
          + " of " + maxEntries + " entries); redrive or discard dead letters, or raise maxDeadLetters");
    }
  }

  @Override
  public synchronized Optional<DeadLetter> get(String id) {
    Entry entry = byId.get(id);
    return entry == null ? Optional.empty() : Optional.of(entry.deadLetter);
  }

  @Override
  public synchronized void update(DeadLetter deadLetter) {
    Entry previous = byId.get(deadLetter.id());
    if (previous == null) {
      return;
    }
    write(deadLetter, previous.seq);
  }

  @Override
  public synchronized boolean remove(String id) {
    if (!byId.containsKey(id)) {
      return false;
    }
    long offset = send(id, new RecordHeaders(), null);
    appliedLocally(id, offset);
    unindex(id);
    return true;
  }

  @Override
  public synchronized List<DeadLetter> list() {
    return new ArrayList<>(all.values());
  }

  @Override
  public synchronized List<DeadLetter> list(String group) {
    TreeMap<Long, DeadLetter> entries = byGroup.get(group);
    return entries == null ? List.of() : new ArrayList<>(entries.values());
  }

  @Override
  public synchronized List<DeadLetter> blocking(String group, String key) {
    ConcurrentHashMap<String, TreeMap<Long, String>> orders = key == null ? null : blocked.get(group);
    TreeMap<Long, String> ids = orders == null ? null : orders.get(key);
    if (ids == null) {
      return List.of();
    }
    List<DeadLetter> result = new ArrayList<>(ids.size());
    for (String id : ids.values()) {
      result.add(byId.get(id).deadLetter);
    }
    return result;
  }

  @Override
  public boolean isBlocked(String group, String key) {
    if (blockedOrders == 0 || key == null) {
      return false;
    }
    ConcurrentHashMap<String, TreeMap<Long, String>> orders = blocked.get(group);
    return orders != null && orders.containsKey(key);
  }

  // ---- writes and the index (under the lock) ----

  /** Writes an entry, waits for Kafka's acknowledgement, then indexes it; {@code seq} < 0 for a new position. */
  private void write(DeadLetter dl, long seq) {
    RecordHeaders headers = toHeaders(dl);
    if (seq >= 0) {
      put(headers, SEQ_HEADER, Long.toString(seq));
    }
    long offset = send(dl.id(), headers, dl.body());
    appliedLocally(dl.id(), offset);
    index(dl, seq >= 0 ? seq : offset, offset);
  }

  private void appliedLocally(String id, long offset) {
    if (offset >= readThrough) {
      appliedAhead.put(id, offset);
    }
  }

  private void index(DeadLetter dl, long seq, long offset) {
    Entry previous = byId.get(dl.id());
    if (previous != null) {
      unindex(dl.id());
    }
    byId.put(dl.id(), new Entry(dl, seq, offset));
    all.put(seq, dl);
    byGroup.computeIfAbsent(dl.group(), g -> new TreeMap<>()).put(seq, dl);
    if (dl.key() != null) {
      TreeMap<Long, String> ids = blocked.computeIfAbsent(dl.group(), g -> new ConcurrentHashMap<>())
          .computeIfAbsent(dl.key(), k -> new TreeMap<>());
      if (ids.isEmpty()) {
        blockedOrders++;
      }
      ids.put(seq, dl.id());
    }
  }

  private void unindex(String id) {
    Entry entry = byId.remove(id);
    if (entry == null) {
      return;
    }
    DeadLetter dl = entry.deadLetter;
    all.remove(entry.seq);
    TreeMap<Long, DeadLetter> group = byGroup.get(dl.group());
    if (group != null) {
      group.remove(entry.seq);
      if (group.isEmpty()) {
        byGroup.remove(dl.group());
      }
    }
    if (dl.key() == null) {
      return;
    }
    ConcurrentHashMap<String, TreeMap<Long, String>> orders = blocked.get(dl.group());
    TreeMap<Long, String> ids = orders == null ? null : orders.get(dl.key());
    if (ids != null && ids.remove(entry.seq) != null && ids.isEmpty()) {
      orders.remove(dl.key());
      blockedOrders--;
    }
  }

  /** Waits for Kafka's acknowledgement (a dead letter must never exist only in memory); the record's offset. */
  private long send(String id, Headers headers, byte[] value) {
    if (closed) {
      throw new OmsException(Kind.CLOSED, "the dead-letter store " + topic + " is closed");
    }
    try {
      RecordMetadata written = producer.send(new ProducerRecord<>(topic, 0, id, value, headers))
          .get(WRITE_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      return written.offset();
    } catch (ExecutionException e) {
      throw KafkaErrors.ofSend(e.getCause(), "dead letter " + id);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new OmsException(Kind.BROKER_UNAVAILABLE, "Kafka did not store dead letter " + id + " within "
          + WRITE_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OmsException(Kind.CLOSED, "interrupted while storing dead letter " + id, e);
    } catch (RuntimeException e) {
      throw KafkaErrors.ofSend(e, "dead letter " + id);
    }
  }

  // ---- the record format (unchanged since the first version; oms.dl.seq added, ignored by older readers) ----

  private static RecordHeaders toHeaders(DeadLetter dl) {
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
    if (closed) {
      return;
    }
    closed = true;
    consumer.wakeup();
    try {
      reader.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      notifyAll();
    }
    producer.close(Duration.ofSeconds(10));
    admin.close(Duration.ofSeconds(10));
  }

  @Override
  public String toString() {
    return "KafkaDeadLetterStore[" + topic + "]";
  }
}
