package dev.oms.broker.spi;

import java.time.Instant;

/**
 * What the broker knows about one delivery of a record, beside the record itself.
 *
 * @param deliveryCount how many times the broker has delivered this record, this delivery
 *     included, where the broker counts (SQS {@code ApproximateReceiveCount}, JetStream's
 *     {@code num_delivered}; on Kafka 2 for a record the group had fetched before a crash or a
 *     rebalance, as far as the adapter can tell); 1 for a first delivery, 0 when unknown. A
 *     redelivered record starts at attempt {@code deliveryCount} of the group's retry policy, so a
 *     record that keeps crashing its consumers still reaches the dead letters.
 * @param deadline when the delivery must have an outcome (a Lambda invocation's end, minus a
 *     margin), or null for none: the runtime starts no attempt and waits for no retry past it,
 *     and answers {@link Outcome.Kind#RETRY_LATER} instead
 */
public record DeliveryInfo(int deliveryCount, Instant deadline) {

  /** A first delivery with no deadline: what an in-process broker passes. */
  public static final DeliveryInfo FIRST = new DeliveryInfo(1, null);

  /** A delivery the broker cannot count, with no deadline. */
  public static final DeliveryInfo UNKNOWN = new DeliveryInfo(0, null);

  public DeliveryInfo {
    if (deliveryCount < 0) {
      throw new IllegalArgumentException("deliveryCount must be >= 0, was " + deliveryCount);
    }
  }

  /** The {@code n}-th delivery of a record (1 = first), with no deadline. */
  public static DeliveryInfo delivery(int n) {
    return n == 1 ? FIRST : n == 0 ? UNKNOWN : new DeliveryInfo(n, null);
  }

  /** The same delivery with a deadline. */
  public DeliveryInfo withDeadline(Instant deadline) {
    return new DeliveryInfo(deliveryCount, deadline);
  }

  /** Attempts already made before this delivery, as far as the broker's count tells. */
  public int attemptsBefore() {
    return Math.max(0, deliveryCount - 1);
  }
}
