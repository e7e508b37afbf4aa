package dev.oms.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oms.OmsException;
import dev.oms.event.EventMetadata;
import dev.oms.event.OutOfStock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Small helpers shared by the delivery-runtime tests. */
public final class DeliveryTestSupport {
  public static final Duration WAIT = Duration.ofSeconds(10);
  public static final String SEQ_SKU = "SKU-SEQ";

  private DeliveryTestSupport() {}

  /** A policy with 1-5 ms backoff and no jitter, so retries are fast and predictable. */
  public static DeliveryPolicy fastPolicy(int maxAttempts) {
    return DeliveryPolicy.builder()
        .maxAttempts(maxAttempts)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(5), 2.0)
        .jitter(0)
        .build();
  }

  public static ConsumerGroup group(String name, int concurrency, DeliveryPolicy policy) {
    return ConsumerGroup.builder(name).concurrency(concurrency).policy(policy).build();
  }

  /**
   * An event of {@code orderId} that carries a sequence number (in {@code requested}), so a handler
   * can record the order in which one order's events arrive.
   */
  public static OutOfStock seqEvent(String orderId, int seq) {
    return new OutOfStock(EventMetadata.first(orderId, null), SEQ_SKU, seq, 0);
  }

  /** Waits for a publish to be accepted; fails the test if it was refused. */
  public static void accepted(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("publish was not accepted", e);
    }
  }

  /** The OmsException a stage failed with; fails the test if it succeeded or failed otherwise. */
  public static OmsException refusal(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(OmsException.class);
      return (OmsException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError("stage neither completed nor failed in time", e);
    }
    throw new AssertionError("expected the stage to fail, but it completed normally");
  }
}
