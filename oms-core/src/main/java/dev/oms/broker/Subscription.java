package dev.oms.broker;

/** A consumer group subscribed on an {@link EventBus}. */
public interface Subscription extends AutoCloseable {

  ConsumerGroup group();

  /**
   * Stops handling; events for this group keep being accepted and wait (an outage or a
   * maintenance window). Publishers are not slowed down until the broker's bound is reached.
   */
  void pause();

  /** Handles again, starting with the events that waited, in order. */
  void resume();

  GroupMetrics metrics();

  /** Unsubscribes the group. */
  @Override
  void close();
}
