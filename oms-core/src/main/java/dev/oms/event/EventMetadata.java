package dev.oms.event;

import dev.oms.internal.Require;
import java.time.Instant;

/**
 * What every event carries besides its business data. On the wire these are CloudEvents
 * attributes: {@code id}, {@code subject} (the order id), {@code time}, and the extensions
 * {@code correlationid}, {@code causationid} and {@code traceparent}.
 *
 * @param eventId unique id of this event; consumers deduplicate on it
 * @param orderId the order the event belongs to, and the ordering key on every broker
 * @param occurredAt when the event happened
 * @param correlationId shared by every event of one business flow (one order placement)
 * @param causationId the id of the event that caused this one (its own id for the first event)
 * @param traceparent W3C trace context carried from checkout to the last handler
 */
public record EventMetadata(
    String eventId,
    String orderId,
    Instant occurredAt,
    String correlationId,
    String causationId,
    String traceparent) {

  public EventMetadata {
    Require.nonBlank(eventId, "eventId");
    Require.nonBlank(orderId, "orderId");
    Require.nonNull(occurredAt, "occurredAt");
    Require.nonBlank(correlationId, "correlationId");
    Require.nonBlank(causationId, "causationId");
    Require.nonBlank(traceparent, "traceparent");
  }

  /** Metadata for the first event of a flow: it correlates and causes itself. */
  public static EventMetadata first(String orderId, String traceparent) {
    return first(orderId, traceparent, EventIds.newEventId());
  }

  /** Metadata for the first event of a flow, with the given id. */
  public static EventMetadata first(String orderId, String traceparent, String id) {
    return new EventMetadata(
        id, orderId, Instant.now(), id, id, traceparent == null ? EventIds.newTraceparent() : traceparent);
  }

  /**
   * Metadata for an event caused by {@code cause}: same order, correlation and trace, a new random
   * id. Inside a handler prefer {@code EventContext.followOn()}, whose ids survive retries.
   */
  public static EventMetadata causedBy(OrderEvent cause) {
    EventMetadata c = cause.metadata();
    return causedBy(cause, EventIds.newEventId());
  }

  /** Metadata for an event caused by {@code cause}, with the given id. */
  public static EventMetadata causedBy(OrderEvent cause, String eventId) {
    EventMetadata c = cause.metadata();
    return new EventMetadata(eventId, c.orderId, Instant.now(), c.correlationId, c.eventId, c.traceparent);
  }
}
