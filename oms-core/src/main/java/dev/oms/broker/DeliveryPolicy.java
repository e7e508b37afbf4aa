package dev.oms.broker;

import dev.oms.internal.Require;
import java.time.Duration;

/**
 * How a consumer group retries, deduplicates and gives up. Immutable; start from
 * {@link #ofDefaults()} or {@link #builder()}.
 *
 * @param maxAttempts handler runs before an event is dead-lettered (1 = no retry); a record the
 *     broker redelivers starts at the attempt its delivery count says
 * @param initialBackoff wait before the first retry (on a timer: no thread waits)
 * @param maxBackoff upper bound of the exponential backoff, also of the waits for an unavailable
 *     broker or store
 * @param backoffMultiplier growth factor per retry
 * @param jitter +/- fraction of randomness applied to every wait, so retries of many events spread
 * @param deduplicate skip event ids the group already handled, within the idempotency store's reach
 * @param publishTimeout how long a handler's follow-on events may wait for the broker to accept them
 *     before the attempt counts as waiting for an unavailable broker
 * @param failureHandling who retries and dead-letters failing records (see {@link FailureHandling})
 */
public record DeliveryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    double backoffMultiplier,
    double jitter,
    boolean deduplicate,
    Duration publishTimeout,
    FailureHandling failureHandling) {

  /** Who handles a record whose handler keeps failing. */
  public enum FailureHandling {
    /**
     * OMS, on every broker (the default): retries in place on a timer, then a dead letter in OMS's
     * store; the order's later records park behind it until an operator redrives or discards it.
     */
    OMS,
    /**
     * The broker's own mechanism, as an opt-in for brokers that redeliver and count
     * ({@code BrokerCapabilities.nativeRedelivery}: SQS redrive policy, JetStream max-deliver): a
     * failed attempt (or an undecodable record) is answered retry-later at once and the broker
     * redelivers it, moving it to its dead-letter queue after its own limit. What this gives up:
     * no OMS dead letters (nothing in {@code DeadLetters}, no redrive or discard through OMS), no
     * parking, so an order's later records are handled while an earlier one waits for its
     * redelivery (per-order order through failures is lost), and retries follow the broker's
     * redelivery delay rather than this policy's backoff.
     */
    BROKER
  }

  private static final DeliveryPolicy DEFAULTS = builder().build();

  public DeliveryPolicy {
    Require.configCheck(maxAttempts >= 1, "maxAttempts must be >= 1, was " + maxAttempts);
    Require.config(initialBackoff, "initialBackoff");
    Require.config(maxBackoff, "maxBackoff");
    Require.configCheck(!initialBackoff.isNegative() && maxBackoff.compareTo(initialBackoff) >= 0,
        "backoff must satisfy 0 <= initialBackoff <= maxBackoff");
    Require.configCheck(backoffMultiplier >= 1.0, "backoffMultiplier must be >= 1, was " + backoffMultiplier);
    Require.configCheck(jitter >= 0 && jitter < 1, "jitter must be in [0, 1), was " + jitter);
    Require.config(publishTimeout, "publishTimeout");
    Require.configCheck(!publishTimeout.isNegative() && !publishTimeout.isZero(), "publishTimeout must be positive");
    Require.config(failureHandling, "failureHandling");
  }

  /** 5 attempts, 20 ms doubling to 1 s with 20% jitter, deduplication on, 30 s publish timeout, OMS failure handling. */
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
        .deduplicate(deduplicate)
        .publishTimeout(publishTimeout)
        .failureHandling(failureHandling);
  }

  /** Builds a {@link DeliveryPolicy}; unset values keep their defaults. */
  public static final class Builder {
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(20);
    private Duration maxBackoff = Duration.ofSeconds(1);
    private double backoffMultiplier = 2.0;
    private double jitter = 0.2;
    private boolean deduplicate = true;
    private Duration publishTimeout = Duration.ofSeconds(30);
    private FailureHandling failureHandling = FailureHandling.OMS;

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

    /** Whether the group skips event ids it already handled (on by default; the bus's idempotency store says how long it remembers). */
    public Builder deduplicate(boolean deduplicate) {
      this.deduplicate = deduplicate;
      return this;
    }

    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = publishTimeout;
      return this;
    }

    public Builder failureHandling(FailureHandling failureHandling) {
      this.failureHandling = failureHandling;
      return this;
    }

    public DeliveryPolicy build() {
      return new DeliveryPolicy(maxAttempts, initialBackoff, maxBackoff, backoffMultiplier, jitter, deduplicate,
          publishTimeout, failureHandling);
    }
  }
}
