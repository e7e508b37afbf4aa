package dev.oms.kafka;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the Kafka adapter talks to Kafka. Immutable; {@link #builder()} starts from the defaults.
 *
 * <p>Every event of every type goes to one topic ({@link #topic()}), keyed by order id: all events
 * of an order share a partition, so each consumer group sees an order's events in the order they
 * were published, across types. Each OMS consumer group is a Kafka consumer group named
 * {@link #groupIdPrefix()} + the group's name.
 *
 * <p>Native client settings (TLS, SASL, timeouts, tuning) pass through unchanged:
 * {@link Builder#clientProperty} for every client, {@link Builder#producerProperty},
 * {@link Builder#consumerProperty} and {@link Builder#adminProperty} for one. The adapter's safe
 * defaults ({@code acks=all}, idempotence, manual commits, cooperative rebalancing) can be
 * overridden the same way, at your own risk.
 */
public final class KafkaBrokerConfig {
  private final String bootstrapServers;
  private final String topic;
  private final int partitions;
  private final short replicationFactor;
  private final boolean createTopic;
  private final String groupIdPrefix;
  private final CloudEventsMode mode;
  private final int maxInFlightPerGroup;
  private final Duration pollTimeout;
  private final Duration commitInterval;
  private final Duration revokeTimeout;
  private final int maxDeadLetters;
  private final Map<String, Object> clientProperties;
  private final Map<String, Object> producerProperties;
  private final Map<String, Object> consumerProperties;
  private final Map<String, Object> adminProperties;

  private KafkaBrokerConfig(Builder b) {
    this.bootstrapServers = b.bootstrapServers;
    this.topic = b.topic;
    this.partitions = b.partitions;
    this.replicationFactor = b.replicationFactor;
    this.createTopic = b.createTopic;
    this.groupIdPrefix = b.groupIdPrefix;
    this.mode = b.mode;
    this.maxInFlightPerGroup = b.maxInFlightPerGroup;
    this.pollTimeout = b.pollTimeout;
    this.commitInterval = b.commitInterval;
    this.revokeTimeout = b.revokeTimeout;
    this.maxDeadLetters = b.maxDeadLetters;
    this.clientProperties = Map.copyOf(b.clientProperties);
    this.producerProperties = Map.copyOf(b.producerProperties);
    this.consumerProperties = Map.copyOf(b.consumerProperties);
    this.adminProperties = Map.copyOf(b.adminProperties);
  }

  /** The defaults, with Kafka at {@code localhost:9092}. */
  public static KafkaBrokerConfig ofDefaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.bootstrapServers = bootstrapServers;
    b.topic = topic;
    b.partitions = partitions;
    b.replicationFactor = replicationFactor;
    b.createTopic = createTopic;
    b.groupIdPrefix = groupIdPrefix;
    b.mode = mode;
    b.maxInFlightPerGroup = maxInFlightPerGroup;
    b.pollTimeout = pollTimeout;
    b.commitInterval = commitInterval;
    b.revokeTimeout = revokeTimeout;
    b.maxDeadLetters = maxDeadLetters;
    b.clientProperties.putAll(clientProperties);
    b.producerProperties.putAll(producerProperties);
    b.consumerProperties.putAll(consumerProperties);
    b.adminProperties.putAll(adminProperties);
    return b;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The topic every event goes to; {@code oms.orders} by default. */
  public String topic() {
    return topic;
  }

  /** Partitions of the topic when the adapter creates it; 12 by default (the most consumers a group can use). */
  public int partitions() {
    return partitions;
  }

  /** Replication factor when the adapter creates the topic; -1 (the default) takes the broker's default. */
  public short replicationFactor() {
    return replicationFactor;
  }

  /** Whether {@code start} creates the topic when it is missing; true by default. */
  public boolean createTopic() {
    return createTopic;
  }

  /** Prefix of the Kafka consumer group ids; {@code oms.} by default. */
  public String groupIdPrefix() {
    return groupIdPrefix;
  }

  public CloudEventsMode mode() {
    return mode;
  }

  /**
   * Records a group may have taken from Kafka and not finished; above it the group's partitions are
   * paused. Bounds memory and how long a rebalance waits. 2,000 by default.
   */
  public int maxInFlightPerGroup() {
    return maxInFlightPerGroup;
  }

  public Duration pollTimeout() {
    return pollTimeout;
  }

  /** How often finished offsets are committed while records flow; 200 ms by default. */
  public Duration commitInterval() {
    return commitInterval;
  }

  /**
   * How long a group giving up partitions in a rebalance waits for their records in flight to
   * finish before committing; 30 s by default. Records unfinished by then go to the new owner.
   */
  public Duration revokeTimeout() {
    return revokeTimeout;
  }

  /**
   * The most entries (dead letters and records parked behind them, every group together) a
   * {@link KafkaDeadLetterStore} holds; past it, storing another is refused with
   * {@code DEAD_LETTERS_FULL} until some are redriven or discarded. 100,000 by default.
   */
  public int maxDeadLetters() {
    return maxDeadLetters;
  }

  public Map<String, Object> clientProperties() {
    return clientProperties;
  }

  public Map<String, Object> producerProperties() {
    return producerProperties;
  }

  public Map<String, Object> consumerProperties() {
    return consumerProperties;
  }

  public Map<String, Object> adminProperties() {
    return adminProperties;
  }

  @Override
  public String toString() {
    // Client properties may hold credentials (sasl.jaas.config): only their names are shown.
    return "KafkaBrokerConfig[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", partitions=" + partitions
        + ", replicationFactor=" + replicationFactor + ", mode=" + mode + ", groupIdPrefix=" + groupIdPrefix
        + ", maxInFlightPerGroup=" + maxInFlightPerGroup + ", maxDeadLetters=" + maxDeadLetters + ", client properties=" + clientProperties.keySet()
        + ", producer=" + producerProperties.keySet() + ", consumer=" + consumerProperties.keySet() + "]";
  }

  public static final class Builder {
    private String bootstrapServers = "localhost:9092";
    private String topic = "oms.orders";
    private int partitions = 12;
    private short replicationFactor = -1;
    private boolean createTopic = true;
    private String groupIdPrefix = "oms.";
    private CloudEventsMode mode = CloudEventsMode.BINARY;
    private int maxInFlightPerGroup = 2_000;
    private Duration pollTimeout = Duration.ofMillis(100);
    private Duration commitInterval = Duration.ofMillis(200);
    private Duration revokeTimeout = Duration.ofSeconds(30);
    private int maxDeadLetters = 100_000;
    private final Map<String, Object> clientProperties = new LinkedHashMap<>();
    private final Map<String, Object> producerProperties = new LinkedHashMap<>();
    private final Map<String, Object> consumerProperties = new LinkedHashMap<>();
    private final Map<String, Object> adminProperties = new LinkedHashMap<>();

    private Builder() {}

    /** Kafka's {@code bootstrap.servers}: {@code host:port[,host:port...]}. */
    public Builder bootstrapServers(String bootstrapServers) {
      check(bootstrapServers != null && !bootstrapServers.isBlank(), "bootstrapServers must not be blank");
      this.bootstrapServers = bootstrapServers.trim();
      return this;
    }

    public Builder topic(String topic) {
      check(topic != null && topic.matches("[a-zA-Z0-9._-]{1,200}"),
          "topic must be 1-200 characters of [a-zA-Z0-9._-], was " + topic);
      this.topic = topic;
      return this;
    }

    public Builder partitions(int partitions) {
      check(partitions >= 1, "partitions must be >= 1, was " + partitions);
      this.partitions = partitions;
      return this;
    }

    public Builder replicationFactor(int replicationFactor) {
      check(replicationFactor == -1 || (replicationFactor >= 1 && replicationFactor <= Short.MAX_VALUE),
          "replicationFactor must be -1 (broker default) or >= 1, was " + replicationFactor);
      this.replicationFactor = (short) replicationFactor;
      return this;
    }

    public Builder createTopic(boolean createTopic) {
      this.createTopic = createTopic;
      return this;
    }

    public Builder groupIdPrefix(String groupIdPrefix) {
      check(groupIdPrefix != null, "groupIdPrefix must not be null (use \"\" for none)");
      this.groupIdPrefix = groupIdPrefix;
      return this;
    }

    public Builder mode(CloudEventsMode mode) {
      check(mode != null, "mode must not be null");
      this.mode = mode;
      return this;
    }

    public Builder maxInFlightPerGroup(int maxInFlightPerGroup) {
      check(maxInFlightPerGroup >= 1, "maxInFlightPerGroup must be >= 1, was " + maxInFlightPerGroup);
      this.maxInFlightPerGroup = maxInFlightPerGroup;
      return this;
    }

    public Builder pollTimeout(Duration pollTimeout) {
      this.pollTimeout = positive(pollTimeout, "pollTimeout");
      return this;
    }

    public Builder commitInterval(Duration commitInterval) {
      this.commitInterval = positive(commitInterval, "commitInterval");
      return this;
    }

    public Builder revokeTimeout(Duration revokeTimeout) {
      this.revokeTimeout = positive(revokeTimeout, "revokeTimeout");
      return this;
    }

    public Builder maxDeadLetters(int maxDeadLetters) {
      check(maxDeadLetters >= 1, "maxDeadLetters must be >= 1, was " + maxDeadLetters);
      this.maxDeadLetters = maxDeadLetters;
      return this;
    }

    /** A native property for every client (producer, consumers, admin): TLS, SASL, client.id... */
    public Builder clientProperty(String key, Object value) {
      clientProperties.put(key(key), value);
      return this;
    }

    public Builder producerProperty(String key, Object value) {
      producerProperties.put(key(key), value);
      return this;
    }

    public Builder consumerProperty(String key, Object value) {
      consumerProperties.put(key(key), value);
      return this;
    }

    public Builder adminProperty(String key, Object value) {
      adminProperties.put(key(key), value);
      return this;
    }

    public KafkaBrokerConfig build() {
      return new KafkaBrokerConfig(this);
    }

    private static String key(String key) {
      check(key != null && !key.isBlank(), "a client property name must not be blank");
      return key;
    }

    private static Duration positive(Duration d, String name) {
      check(d != null && !d.isNegative() && !d.isZero(), name + " must be positive, was " + d);
      return d;
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new OmsException(Kind.CONFIGURATION, message);
      }
    }
  }
}
