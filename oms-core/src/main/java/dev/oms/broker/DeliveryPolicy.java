package dev.oms.broker;

import dev.oms.internal.Require;
import java.time.Duration;

/**
 * How a consumer group retries, deduplicates and gives up. Immutable; start from
 * {@link #ofDefaults()} or {@link #builder()}.
 *
 * @param maxAttempts handler runs before an event is dead-lettered (1 = no retry)
 * @param initialBackoff wait before the first retry
 * @param maxBackoff upper bound of the exponential backoff
 * @param backoffMultiplier growth factor per retry
 * @param jitter +/- fraction of randomness applied to every wait, so retries of many events spread
 * @param dedupCapacity event ids remembered per group to skip redeliveries; 0 turns dedup off
 * @param publishTimeout how long a handler's follow-on events may wait for the broker to accept them
 */
public record DeliveryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    double backoffMultiplier,
    double jitter,
    int dedupCapacity,
    Duration publishTimeout) {

  private static final DeliveryPolicy DEFAULTS = builder().build();

  public DeliveryPolicy {
    Require.configCheck(maxAttempts >= 1, "maxAttempts must be >= 1, was " + maxAttempts);
    Require.config(initialBackoff, "initialBackoff");
    Require.config(maxBackoff, "maxBackoff");
    Require.configCheck(!initialBackoff.isNegative() && maxBackoff.compareTo(initialBackoff) >= 0,
        "backoff must satisfy 0 <= initialBackoff <= maxBackoff");
    Require.configCheck(backoffMultiplier >= 1.0, "backoffMultiplier must be >= 1, was " + backoffMultiplier);
    Require.configCheck(jitter >= 0 && jitter < 1, "jitter must be in [0, 1), was " + jitter);
    Require.configCheck(dedupCapacity >= 0, "dedupCapacity must be >= 0, was " + dedupCapacity);
    Require.config(publishTimeout, "publishTimeout");
  }

  /** 5 attempts, 20 ms doubling to 1 s with 20% jitter, 100,000 remembered event ids, 30 s publish timeout. */
  public static DeliveryPolicy ofDefaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .maxAttempts(maxAttempts)
        .backoff(initialBackoff, maxBackoff, backoffMultiplier)
        .jitter(jitter)
        .dedupCapacity(dedupCapacity)
        .publishTimeout(publishTimeout);
  }

  /** Builds a {@link DeliveryPolicy}; unset values keep their defaults. */
  public static final class Builder {
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(20);
    private Duration maxBackoff = Duration.ofSeconds(1);
    private double backoffMultiplier = 2.0;
    private double jitter = 0.2;
    private int dedupCapacity = 100_000;
    private Duration publishTimeout = Duration.ofSeconds(30);

    private Builder() {}

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder backoff(Duration initial, Duration max, double multiplier) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      this.backoffMultiplier = multiplier;
      return this;
    }

    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    public Builder dedupCapacity(int dedupCapacity) {
      this.dedupCapacity = dedupCapacity;
      return this;
    }

    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = publishTimeout;
      return this;
    }

    public DeliveryPolicy build() {
      return new DeliveryPolicy(
          maxAttempts, initialBackoff, maxBackoff, backoffMultiplier, jitter, dedupCapacity, publishTimeout);
    }
  }
}
