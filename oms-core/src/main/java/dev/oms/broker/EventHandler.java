package dev.oms.broker;

import dev.oms.event.OrderEvent;

/**
 * Handles one event type for a consumer group. Throwing means "not handled": the bus retries with
 * backoff and, after the group's attempt limit, dead-letters the event. Events published through
 * {@link EventContext#publish} are sent only after the handler returns normally.
 */
@FunctionalInterface
public interface EventHandler<E extends OrderEvent> {
  void handle(E event, EventContext context) throws Exception;
}
