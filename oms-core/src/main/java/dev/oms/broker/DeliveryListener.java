package dev.oms.broker;

import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.OrderEvent;

/**
 * Observability hooks, with no metrics library required: bridge them to Micrometer,
 * OpenTelemetry or logs. Called on the delivering thread (which may be a broker client's I/O thread
 * that saw the acknowledgement), so keep them short and never block in them. Every method has a
 * no-op default. A listener that throws changes nothing about the delivery: the failure is counted
 * and logged (rate-limited), and the record's outcome is what it would have been.
 */
public interface DeliveryListener {
  DeliveryListener NONE = new DeliveryListener() {};

  /** A handler finished an event; {@code nanos} is the time spent in the handler. */
  default void onHandled(String group, OrderEvent event, int attempt, long nanos) {}

  /** A handler failed and the event will be tried again. */
  default void onRetry(String group, OrderEvent event, int attempt, Throwable error) {}

  /** An event (or undecodable record) was stored as a dead letter. */
  default void onDeadLettered(DeadLetter deadLetter) {}

  /** A record was parked behind a dead letter of its order. */
  default void onParked(DeadLetter parked) {}

  /** A redelivered event id was skipped. */
  default void onDuplicate(String group, OrderEvent event) {}

  /**
   * A record could not be settled now and waits to be delivered again: its follow-on events were
   * refused by an unavailable broker, its dead letter by a full store, its deadline came, the bus
   * is closing, or its failure is left to the broker. {@code eventId} may be null (not decoded).
   */
  default void onRetryLater(String group, String eventId, Throwable cause) {}

  /** The dead-letter store refused to store a dead letter or parked record (full or unavailable). */
  default void onDeadLetterRefused(String group, String eventId, Throwable cause) {}
}
