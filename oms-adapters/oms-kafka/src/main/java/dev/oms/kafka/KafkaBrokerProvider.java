package dev.oms.kafka;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.broker.spi.BrokerProvider;
import dev.oms.broker.spi.EventBroker;
import java.util.Locale;
import java.util.Map;

/**
 * {@code kafka} for tools that pick brokers by name (the simulator's {@code --broker kafka}).
 * Options: {@code bootstrap.servers} (required), {@code topic}, {@code partitions},
 * {@code replication.factor}, {@code mode} ({@code binary} or {@code structured}),
 * {@code group.id.prefix}, {@code max.in.flight}, {@code max.dead.letters}; any option named {@code producer.*},
 * {@code consumer.*}, {@code admin.*} or {@code client.*} is passed, without that prefix, to those
 * clients (e.g. {@code client.security.protocol=SSL}).
 */
public final class KafkaBrokerProvider implements BrokerProvider {
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public EventBroker create(Map<String, String> options) {
    return KafkaBroker.create(config(options));
  }

  /** The config these options describe; unknown options are refused, not ignored. */
  public static KafkaBrokerConfig config(Map<String, String> options) {
    String bootstrap = options.get(BOOTSTRAP_SERVERS);
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new OmsException(Kind.CONFIGURATION,
          "the kafka broker needs the option bootstrap.servers=host:port[,host:port...]");
    }
    KafkaBrokerConfig.Builder b = KafkaBrokerConfig.builder().bootstrapServers(bootstrap);
    options.forEach((key, value) -> {
      switch (key) {
        case BOOTSTRAP_SERVERS -> { }
        case "topic" -> b.topic(value);
        case "partitions" -> b.partitions(integer(key, value));
        case "replication.factor" -> b.replicationFactor(integer(key, value));
        case "mode" -> b.mode(mode(value));
        case "group.id.prefix" -> b.groupIdPrefix(value);
        case "max.in.flight" -> b.maxInFlightPerGroup(integer(key, value));
        case "max.dead.letters" -> b.maxDeadLetters(integer(key, value));
        default -> passThrough(b, key, value);
      }
    });
    return b.build();
  }

  private static void passThrough(KafkaBrokerConfig.Builder b, String key, String value) {
    int dot = key.indexOf('.');
    String scope = dot < 0 ? key : key.substring(0, dot);
    String property = dot < 0 ? "" : key.substring(dot + 1);
    switch (scope) {
      case "producer" -> b.producerProperty(property, value);
      case "consumer" -> b.consumerProperty(property, value);
      case "admin" -> b.adminProperty(property, value);
      case "client" -> b.clientProperty(property, value);
      default -> throw new OmsException(Kind.CONFIGURATION, "unknown kafka option '" + key + "'; known: "
          + "bootstrap.servers, topic, partitions, replication.factor, mode, group.id.prefix, max.in.flight, "
          + "max.dead.letters, and producer.*, consumer.*, admin.*, client.* for native client properties");
    }
  }

  private static int integer(String key, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new OmsException(Kind.CONFIGURATION, "kafka option " + key + " must be an integer, was '" + value + "'");
    }
  }

  private static CloudEventsMode mode(String value) {
    try {
      return CloudEventsMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new OmsException(Kind.CONFIGURATION, "kafka option mode must be binary or structured, was '" + value + "'");
    }
  }
}
