package dev.oms.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.broker.DeliveryPolicy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Retry waits grow exponentially up to a cap and spread by the configured jitter. */
class BackoffTest {

  private static DeliveryPolicy policy(long initialMs, long maxMs, double multiplier, double jitter) {
    return DeliveryPolicy.builder()
        .backoff(Duration.ofMillis(initialMs), Duration.ofMillis(maxMs), multiplier)
        .jitter(jitter)
        .build();
  }

  @Test
  void withoutJitterTheWaitDoublesFromTheInitialBackoffUpToTheMaximum() {
    Backoff backoff = new Backoff(policy(20, 100, 2.0, 0));

    assertThat(backoff.delayMillis(1)).isEqualTo(20);
    assertThat(backoff.delayMillis(2)).isEqualTo(40);
    assertThat(backoff.delayMillis(3)).isEqualTo(80);
    assertThat(backoff.delayMillis(4)).isEqualTo(100);
    assertThat(backoff.delayMillis(30)).isEqualTo(100);
  }

  @Test
  void aMultiplierOfOneGivesAConstantWait() {
    Backoff backoff = new Backoff(policy(7, 1_000, 1.0, 0));

    assertThat(backoff.delayMillis(1)).isEqualTo(7);
    assertThat(backoff.delayMillis(10)).isEqualTo(7);
  }

  @Test
  void jitterKeepsEveryWaitWithinItsFractionAndActuallyVaries() {
    Backoff backoff = new Backoff(policy(100, 100, 2.0, 0.2));
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 2_000; i++) {
      long delay = backoff.delayMillis(1);
      min = Math.min(min, delay);
      max = Math.max(max, delay);
    }

    assertThat(min).isGreaterThanOrEqualTo(80);
    assertThat(max).isLessThanOrEqualTo(120);
    assertThat(max - min).isGreaterThan(10);
  }

  @Test
  void aZeroBackoffNeverWaits() {
    Backoff backoff = new Backoff(policy(0, 0, 2.0, 0.5));

    assertThat(backoff.delayMillis(1)).isZero();
    assertThat(backoff.delayMillis(5)).isZero();
  }

  @Test
  void aPolicyWithAnImpossibleBackoffIsAConfigurationError() {
    assertThatThrownBy(() -> policy(100, 10, 2.0, 0))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION));
    assertThatThrownBy(() -> policy(1, 10, 0.5, 0))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION));
    assertThatThrownBy(() -> policy(1, 10, 2.0, 1.0))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION));
    assertThatThrownBy(() -> DeliveryPolicy.builder().maxAttempts(0).build())
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION));
  }
}
