package dev.oms.simulator;

import dev.oms.kafka.KafkaBrokerProvider;
import dev.oms.kafka.local.LocalKafkaCluster;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --broker kafka} with no {@code bootstrap.servers} option: a real single-node Kafka started
 * for the run from the local Maven repository's jars (about 5 s), and stopped after it.
 */
final class LocalKafka implements AutoCloseable {
  static final String NAME = "kafka";
  /** The Kafka default day runs at 1/50 of a profile's base rate (see {@link RunPlan}). */
  static final int RATE_DIVISOR = 50;
  /** The cluster this run started, for {@link LocalKafkaRestarter}; null when none. */
  private static volatile LocalKafkaCluster running;

  private final LocalKafkaCluster cluster;
  private final Map<String, String> options;

  private LocalKafka(LocalKafkaCluster cluster, Map<String, String> options) {
    this.cluster = cluster;
    this.options = options;
  }

  /** Starts a Kafka when the run needs one; otherwise the options as they are. */
  static LocalKafka prepare(String broker, Map<String, String> options, PrintWriter progress) {
    if (!NAME.equals(broker) || options.containsKey(KafkaBrokerProvider.BOOTSTRAP_SERVERS)) {
      return new LocalKafka(null, options);
    }
    if (progress != null) {
      progress.println("no bootstrap.servers given: starting a local Kafka (KRaft, one node) for this run...");
      progress.flush();
    }
    LocalKafkaCluster cluster = dev.oms.kafka.local.LocalKafka.ofDefaults().start();
    Map<String, String> withBootstrap = new LinkedHashMap<>(options);
    withBootstrap.put(KafkaBrokerProvider.BOOTSTRAP_SERVERS, cluster.bootstrapServers());
    running = cluster;
    if (progress != null) {
      progress.println("local Kafka up at " + cluster.bootstrapServers());
      progress.flush();
    }
    return new LocalKafka(cluster, withBootstrap);
  }

  static LocalKafkaCluster running() {
    return running;
  }

  Map<String, String> options() {
    return options;
  }

  @Override
  public void close() {
    if (cluster != null) {
      running = null;
      cluster.close();
    }
  }
}
