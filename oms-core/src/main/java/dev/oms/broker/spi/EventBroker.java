package dev.oms.broker.spi;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * What a broker adapter implements. Deliberately small: sending, subscribing and a lifecycle. All
 * behaviour that must be the same on every broker (deduplication, retry, dead letters, per-order
 * parking, tracing, metrics) lives above this interface in the event bus.
 */
public interface EventBroker extends AutoCloseable {

  /** A short name for logs and the simulator's {@code --broker} flag. */
  String name();

  BrokerCapabilities capabilities();

  /** Called once by the bus before any other method. */
  void start(BrokerContext context);

  /**
   * Sends a record to every group subscribed to its type. The stage completes when the broker has
   * accepted the record (for a durable broker: persisted), or exceptionally with an
   * {@link dev.oms.OmsException} whose kind says why ({@code BACKPRESSURE}, {@code CLOSED},
   * {@code BROKER_UNAVAILABLE}...). Must not wait for any consumer.
   */
  CompletionStage<Void> send(BrokerRecord record);

  /** Starts delivering records of the requested types to {@code handler}. */
  BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler);

  /**
   * Stops accepting records, lets records already accepted finish delivery for up to
   * {@code drainTimeout}, then releases resources. Returns true if everything drained.
   */
  boolean close(Duration drainTimeout);

  @Override
  default void close() {
    close(Duration.ofSeconds(30));
  }
}
