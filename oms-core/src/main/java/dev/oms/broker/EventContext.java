package dev.oms.broker;

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
}
