package dev.oms.broker.spi;

import java.util.concurrent.CompletionStage;

/**
 * The delivery runtime's side of a subscription: an adapter hands it every record it receives and
 * settles the record when the returned stage completes.
 *
 * <h2>The delivery contract</h2>
 *
 * <ul>
 *   <li><b>Order.</b> Hand the records of one key (order id) to {@link #deliver} in the order the
 *       broker delivered them, one call at a time (from one thread, or with a happens-before edge
 *       between calls). Do <em>not</em> wait for a record's stage before delivering the next one,
 *       of the same key or another: the runtime keeps one record of an order in progress per group
 *       (a per-key gate) and starts the next record of that order when the previous one settled,
 *       while records of other orders proceed. Which order the broker delivers in is what its
 *       {@link BrokerCapabilities#keyOrder()} and {@link BrokerCapabilities#orderAcrossTypes()}
 *       declare.
 *   <li><b>Acknowledgement.</b> When the stage completes with a settled {@link Outcome}
 *       ({@link Outcome#isSettled()}), acknowledge the record (commit past it once every earlier
 *       record of its partition is settled, ack, delete). On {@link Outcome.Kind#RETRY_LATER} do not
 *       acknowledge it: the broker must deliver it again, no sooner than its
 *       {@link Outcome#retryAfter()}. The stage never completes exceptionally; if it ever does (or is
 *       cancelled by the adapter), treat it as {@code RETRY_LATER}.
 *   <li><b>Cancellation.</b> An adapter that gives up records (a revoked partition, a lost lease, a
 *       crash) cancels their stages ({@code toCompletableFuture().cancel(false)}): the runtime then
 *       starts no further attempt or step for them. A handler already running finishes its run.
 *   <li><b>Threads.</b> {@code deliver} does not block on I/O: it may run a non-blocking handler on
 *       the calling thread and returns as soon as the record waits for something (a follow-on
 *       event's acknowledgement, a retry timer, a blocking handler on its own pool). Call it from a
 *       worker thread, not from a thread that must keep polling (see {@link KeyedLanes}).
 * </ul>
 *
 * <p>Retries, dead letters, parking behind dead letters, deduplication and the unit of work all
 * happen inside {@code deliver}; a well-formed pipeline sees {@code RETRY_LATER} only when the bus
 * cannot make progress (a deadline, a shutdown, a full dead-letter store, a failure policy that
 * leaves retries to the broker).
 */
@FunctionalInterface
public interface RecordHandler {

  /** Delivers one record; the stage completes with its outcome. */
  CompletionStage<Outcome> deliver(BrokerRecord record, DeliveryInfo info);

  /**
   * The adapter took over keys another instance delivered before (a partition assignment, a shard
   * lease): called before the first record of those keys is delivered, so the runtime catches up
   * with blocking state (dead letters, parked records) other processes wrote. May block briefly.
   */
  default void onKeysAssigned() {}

  /**
   * After the adapter cancelled {@code stage} (one this handler returned): waits up to
   * {@code timeout} until no step of that delivery is still running (a handler run already under
   * way finishes; nothing starts after the cancellation). Returns true when none is. How an adapter
   * that gives up records (a revoked partition, a simulated crash) makes sure nothing of theirs
   * still runs in this process.
   */
  default boolean awaitStopped(CompletionStage<Outcome> stage, java.time.Duration timeout) {
    return true;
  }
}
