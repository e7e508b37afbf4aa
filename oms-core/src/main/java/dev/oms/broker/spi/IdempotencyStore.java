package dev.oms.broker.spi;

import dev.oms.event.OrderEvent;
import java.time.Duration;

/**
 * Remembers which event ids each consumer group handled, so a redelivered event (a broker
 * redelivery, a retry that republished its follow-on events under the same derived ids, a client
 * retrying checkout) has no second effect. The guarantee every implementation states through
 * {@link #reach()}, and every OMS release keeps: <b>a group never acts twice on one event id
 * within that reach.</b>
 *
 * <p>The runtime claims an event id before running the handler and, if the run fails or is
 * abandoned, releases the claim; a claim that was not released is the record that the event was
 * handled. A transactional store (an inbox table) joins the delivery's {@link UnitOfWork}
 * transaction through the {@link UnitOfWork.Work} passed in, so the claim commits or rolls back
 * with the handler's state changes and its outbox rows.
 */
public interface IdempotencyStore {

  /** What this store remembers, and for how long: stated for the README, logs and the kit. */
  Reach reach();

  /**
   * Claims {@code event}'s id for {@code group}: true if the group did not handle it within the
   * reach (the caller handles it now), false if it did (a duplicate: skip it).
   */
  boolean claim(UnitOfWork.Work work, String group, OrderEvent event);

  /** Gives back a claim whose handling failed or was abandoned, so a redelivery is handled. */
  void release(UnitOfWork.Work work, String group, OrderEvent event);

  /**
   * The order is blocked in the group behind a dead letter ({@code true}) or no longer is
   * ({@code false}): a blocked order is remembered whole until it is released, however long that
   * takes, so a redrive never repeats an effect.
   */
  default void blocked(String group, String key, boolean blocked) {}

  /** The order ended ({@code OrderFulfilled} or {@code OrderCancelled} passed through this bus). */
  default void orderEnded(String key) {}

  /**
   * The reach of a store's guarantee, as one sentence a user can check.
   *
   * @param rule what is remembered and for how long
   * @param window the shortest time any handled id is remembered, or null when unbounded in time
   */
  record Reach(String rule, Duration window) {
    @Override
    public String toString() {
      return rule;
    }
  }
}
