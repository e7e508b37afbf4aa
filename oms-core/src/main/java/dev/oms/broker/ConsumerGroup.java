package dev.oms.broker;

import dev.oms.internal.Require;

/**
 * A named consumer group: every group subscribed to an event type gets its own copy (fan-out);
 * inside a group, up to {@code concurrency} events of different orders are handled at once while
 * the events of one order are handled one at a time, in order.
 */
public record ConsumerGroup(String name, int concurrency, DeliveryPolicy policy) {
  public ConsumerGroup {
    Require.configCheck(name != null && !name.isBlank() && !name.startsWith("$"),
        "consumer group name must be non-blank and not start with '$', was '" + name + "'");
    Require.configCheck(concurrency >= 1, "group " + name + ": concurrency must be >= 1, was " + concurrency);
    Require.config(policy, "delivery policy of group " + name);
  }

  /** A group with concurrency equal to the number of CPU cores and the default policy. */
  public static ConsumerGroup named(String name) {
    return builder(name).build();
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds a {@link ConsumerGroup}. */
  public static final class Builder {
    private final String name;
    private int concurrency = Runtime.getRuntime().availableProcessors();
    private DeliveryPolicy policy = DeliveryPolicy.ofDefaults();

    private Builder(String name) {
      this.name = name;
    }

    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    public Builder policy(DeliveryPolicy policy) {
      this.policy = policy;
      return this;
    }

    public ConsumerGroup build() {
      return new ConsumerGroup(name, concurrency, policy);
    }
  }
}
