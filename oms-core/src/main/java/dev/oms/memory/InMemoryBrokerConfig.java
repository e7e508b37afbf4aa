package dev.oms.memory;

import dev.oms.internal.Require;
import java.time.Duration;

/**
 * Settings of the in-memory broker. Immutable; start from {@link #ofDefaults()} or
 * {@link #builder()}.
 *
 * @param groupCapacity events each consumer group may hold before backpressure applies; the
 *     memory bound (split evenly over the group's lanes, rounded up to powers of two)
 * @param backpressure what a send does when a group is full
 * @param blockTimeout how long {@link BackpressurePolicy#BLOCK} waits before failing
 * @param threads worker threads shared by every group; defaults to the number of cores because
 *     more busy threads than cores costs throughput
 * @param drainBatch events a lane handles before yielding its thread to other lanes
 */
public record InMemoryBrokerConfig(
    int groupCapacity, BackpressurePolicy backpressure, Duration blockTimeout, int threads, int drainBatch) {

  public InMemoryBrokerConfig {
    Require.configCheck(groupCapacity >= 1 && groupCapacity <= MAX_GROUP_CAPACITY,
        "groupCapacity must be between 1 and " + MAX_GROUP_CAPACITY + ", was " + groupCapacity);
    Require.config(backpressure, "backpressure");
    Require.config(blockTimeout, "blockTimeout");
    Require.configCheck(!blockTimeout.isNegative(), "blockTimeout must not be negative, was " + blockTimeout);
    Require.configCheck(threads >= 1, "threads must be >= 1, was " + threads);
    Require.configCheck(drainBatch >= 1, "drainBatch must be >= 1, was " + drainBatch);
  }

  /** The largest bound a group may have: 2^30 waiting events. */
  public static final int MAX_GROUP_CAPACITY = 1 << 30;

  /** 262,144 events per group, block up to 30 s when full, one thread per core, batches of 256. */
  public static InMemoryBrokerConfig ofDefaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link InMemoryBrokerConfig}; unset values keep their defaults. */
  public static final class Builder {
    private int groupCapacity = 1 << 18;
    private BackpressurePolicy backpressure = BackpressurePolicy.BLOCK;
    private Duration blockTimeout = Duration.ofSeconds(30);
    private int threads = Runtime.getRuntime().availableProcessors();
    private int drainBatch = 256;

    private Builder() {}

    public Builder groupCapacity(int groupCapacity) {
      this.groupCapacity = groupCapacity;
      return this;
    }

    public Builder backpressure(BackpressurePolicy backpressure) {
      this.backpressure = backpressure;
      return this;
    }

    public Builder blockTimeout(Duration blockTimeout) {
      this.blockTimeout = blockTimeout;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public Builder drainBatch(int drainBatch) {
      this.drainBatch = drainBatch;
      return this;
    }

    public InMemoryBrokerConfig build() {
      return new InMemoryBrokerConfig(groupCapacity, backpressure, blockTimeout, threads, drainBatch);
    }
  }
}
