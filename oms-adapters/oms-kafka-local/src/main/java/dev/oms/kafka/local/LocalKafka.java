package dev.oms.kafka.local;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts a real Apache Kafka in KRaft mode on loopback, from the jars in the local Maven
 * repository, as child JVMs: one combined broker + controller per node. For tests, the simulator,
 * and anyone who wants a Kafka without installing one.
 *
 * <pre>{@code
 * try (LocalKafkaCluster kafka = LocalKafka.builder().nodes(3).build().start()) {
 *   String bootstrap = kafka.bootstrapServers();
 *   kafka.kill(2);     // kill -9 one node
 *   kafka.restart(2);  // and bring it back on the same ports and data
 * }
 * }</pre>
 *
 * A cluster of three or more nodes replicates everything three times with
 * {@code min.insync.replicas=2}, so it survives the loss of one node without losing acknowledged
 * records. Ports are picked free; data lives in a temporary directory deleted on close.
 */
public final class LocalKafka {
  private final int nodes;
  private final Path workDir;
  private final Duration startTimeout;
  private final String maxHeap;
  private final Map<String, String> serverProperties;

  private LocalKafka(Builder b) {
    this.nodes = b.nodes;
    this.workDir = b.workDir;
    this.startTimeout = b.startTimeout;
    this.maxHeap = b.maxHeap;
    this.serverProperties = Map.copyOf(b.serverProperties);
  }

  /** One node, default settings. */
  public static LocalKafka ofDefaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public int nodes() {
    return nodes;
  }

  Path workDir() {
    return workDir;
  }

  Duration startTimeout() {
    return startTimeout;
  }

  String maxHeap() {
    return maxHeap;
  }

  Map<String, String> serverProperties() {
    return serverProperties;
  }

  /** Formats storage, starts every node and waits until the cluster answers with all of them. */
  public LocalKafkaCluster start() {
    return LocalKafkaCluster.start(this);
  }

  public static final class Builder {
    private int nodes = 1;
    private Path workDir;
    private Duration startTimeout = Duration.ofSeconds(90);
    private String maxHeap = "512m";
    private final Map<String, String> serverProperties = new LinkedHashMap<>();

    private Builder() {}

    /** How many nodes (each broker and controller); 1 by default, 3 for a fault-tolerant cluster. */
    public Builder nodes(int nodes) {
      if (nodes < 1 || nodes > 9) {
        throw new OmsException(Kind.CONFIGURATION, "a local Kafka has 1 to 9 nodes, not " + nodes);
      }
      this.nodes = nodes;
      return this;
    }

    /** Where node data and logs go; a new temporary directory (deleted on close) by default. */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
        throw new OmsException(Kind.CONFIGURATION, "startTimeout must be positive");
      }
      this.startTimeout = startTimeout;
      return this;
    }

    /** The {@code -Xmx} of each node's JVM, e.g. {@code 512m} (the default). */
    public Builder maxHeap(String maxHeap) {
      if (maxHeap == null || !maxHeap.matches("\\d+[kmgKMG]?")) {
        throw new OmsException(Kind.CONFIGURATION, "maxHeap must look like 512m or 1g, was " + maxHeap);
      }
      this.maxHeap = maxHeap;
      return this;
    }

    /** A server property set on every node, over the launcher's own (e.g. {@code log.retention.ms}). */
    public Builder serverProperty(String key, String value) {
      serverProperties.put(key, value);
      return this;
    }

    public LocalKafka build() {
      return new LocalKafka(this);
    }
  }
}
