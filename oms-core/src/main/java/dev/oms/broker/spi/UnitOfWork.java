package dev.oms.broker.spi;

import dev.oms.event.OrderEvent;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A hook around every handler run and the publishing of its follow-on events: where a
 * transactional outbox and inbox plug in without touching core. The runtime calls, per attempt:
 *
 * <ol>
 *   <li>{@link #begin} before deduplication and the handler;
 *   <li>{@link Work#publish} with the handler's follow-on events (the default sends them to the
 *       broker; an outbox writes them to its table in the transaction, and its relay sends them);
 *   <li>the handler's {@code afterPublish} actions once {@code publish} completed (inside the
 *       transaction, with an outbox);
 *   <li>{@link Work#commit}, and the record is settled; or {@link Work#rollback} on any failure,
 *       after which the attempt is retried or the record dead-lettered, as the group's policy says.
 * </ol>
 *
 * <p>A work that blocks on I/O (JDBC) declares it with {@link #blocking()}: the runtime then runs
 * the whole attempt on the group's blocking pool instead of the core-count workers.
 */
public interface UnitOfWork {

  /** No transaction: follow-on events go straight to the broker. The default. */
  UnitOfWork DIRECT = new UnitOfWork() {
    @Override
    public Work begin(String group, OrderEvent event, int attempt) {
      return Work.DIRECT;
    }

    @Override
    public String toString() {
      return "UnitOfWork.DIRECT";
    }
  };

  /** Starts the work of one attempt at handling {@code event} in {@code group}. */
  Work begin(String group, OrderEvent event, int attempt);

  /** True when begin, publish, commit or rollback block on I/O. */
  default boolean blocking() {
    return false;
  }

  /** The work of one attempt. */
  interface Work {
    /** The work of {@link UnitOfWork#DIRECT}: publish sends, commit and rollback do nothing. */
    Work DIRECT = new Work() {};

    /**
     * Publishes the attempt's follow-on events, in order; the stage completes when they are
     * accepted (sent to the broker, or staged in the transaction). {@code send} sends one event to
     * the broker; the default publishes through it.
     */
    default CompletionStage<Void> publish(List<OrderEvent> events, Function<OrderEvent, CompletionStage<Void>> send) {
      return Publishing.sendAll(events, send);
    }

    /** Makes the attempt's effects durable; a failure here fails the attempt. */
    default void commit() throws Exception {}

    /** Undoes whatever the attempt did; called once, after a failure or when the attempt is abandoned. */
    default void rollback(Throwable cause) {}
  }
}
