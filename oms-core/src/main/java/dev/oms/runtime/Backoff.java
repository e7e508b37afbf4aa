package dev.oms.runtime;

import dev.oms.broker.DeliveryPolicy;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter, so the retries of many failing events do not fire together. */
public final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private final double multiplier;
  private final double jitter;

  public Backoff(DeliveryPolicy policy) {
    this.initialMillis = policy.initialBackoff().toMillis();
    this.maxMillis = policy.maxBackoff().toMillis();
    this.multiplier = policy.backoffMultiplier();
    this.jitter = policy.jitter();
  }

  /** The wait before retry number {@code retry} (1 = first retry). */
  public long delayMillis(int retry) {
    double base = initialMillis * Math.pow(multiplier, Math.max(0, retry - 1));
    double capped = Math.min(base, maxMillis);
    double factor = 1.0 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Math.max(0, Math.round(capped * factor));
  }
}
