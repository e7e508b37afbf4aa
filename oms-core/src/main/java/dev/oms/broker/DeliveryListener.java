package dev.oms.broker;

import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.OrderEvent;

/**
 * Observability hooks, with no metrics library required: bridge them to Micrometer,
 * OpenTelemetry or logs. Called on the delivering thread, so keep them short. Every method has a
 * no-op default.
 */
public interface DeliveryListener {
  DeliveryListener NONE = new DeliveryListener() {};

  /** A handler finished an event; {@code nanos} is the time spent in the handler. */
  default void onHandled(String group, OrderEvent event, int attempt, long nanos) {}

  /** A handler failed and the event will be tried again. */
  default void onRetry(String group, OrderEvent event, int attempt, Throwable error) {}

  /** An event (or undecodable record) was stored as a dead letter. */
  default void onDeadLettered(DeadLetter deadLetter) {}

  /** A redelivered event id was skipped. */
  default void onDuplicate(String group, OrderEvent event) {}
}
