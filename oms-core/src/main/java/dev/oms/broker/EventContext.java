package dev.oms.broker;

import dev.oms.event.EventMetadata;
import dev.oms.event.OrderEvent;

/** What a handler knows about the delivery it is handling, and how it publishes follow-on events. */
public interface EventContext {

  /** The consumer group handling the event. */
  String group();

  /** 1 on the first delivery, 2 on the first retry, and so on. */
  int attempt();

  /** The W3C trace context the event carries (checkout's, propagated through every hop). */
  String traceparent();

  /** The correlation id shared by every event of this order's flow. */
  String correlationId();

  /**
   * Publishes an event caused by the one being handled. It is sent once the handler returns
   * normally, and the handled event is acknowledged only after the broker accepted it, so a crash
   * or a failure in between means redelivery, never a lost step.
   */
  void publish(OrderEvent event);

  /**
   * Metadata for the next follow-on event: same order, correlation and trace as the handled event,
   * caused by it, and an id derived from the handled event's id, this group and how many times
   * this method was called in this run. A retry that publishes the same events gets the same ids,
   * so consumers deduplicate them instead of acting twice.
   */
  EventMetadata followOn();

  /**
   * Runs {@code action} once the events of this run were accepted by the broker, just before the
   * handled event is acknowledged. Commit state here that must not run ahead of the events: if
   * the publish fails, the handler runs again and finds the state as it was.
   */
  void afterPublish(Runnable action);
}
