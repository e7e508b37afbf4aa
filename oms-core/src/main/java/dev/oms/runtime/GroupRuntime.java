package dev.oms.runtime;

import dev.oms.OmsException;
import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.DeliveryListener;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.GroupMetrics;
import dev.oms.broker.RedriveResult;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.IdempotencyStore;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.event.EventTypes;
import dev.oms.event.OrderEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Everything a consumer group does with a record, the same on every broker (see {@link Delivery}
 * for the steps): the {@link RecordHandler} the group's adapter delivers to, the gate that keeps an
 * order's records one at a time, the counters, and the operator's redrive and discard.
 */
public final class GroupRuntime implements RecordHandler {
  private static final Logger log = LoggerFactory.getLogger(GroupRuntime.class);
  static final String MDC_ORDER_ID = "orderId";
  static final String MDC_CORRELATION_ID = "correlationId";
  private static final long SWEEP_MILLIS = 50;

  private final ConsumerGroup group;
  private final String name;
  private final EventHandlers handlers;
  private final DeliveryPolicy policy;
  private final Backoff backoff;
  private final BusPort bus;
  private final DeadLetterStore store;
  private final IdempotencyStore idempotency;
  private final DeliveryListener listener;
  private final boolean listening;
  private final boolean nativeFailures;
  private final boolean deduplicates;
  private final KeyGate gate = new KeyGate();
  private final java.util.function.Function<OrderEvent, CompletionStage<Void>> send;
  private final GroupCounters counters = new GroupCounters();
  private final Set<Delivery> live = ConcurrentHashMap.newKeySet();
  private final AtomicLong transientLogs = new AtomicLong();
  private volatile BlockingLane blockingLane;
  private volatile ScheduledFuture<?> sweep;
  private volatile BrokerSubscription subscription;

  public GroupRuntime(ConsumerGroup group, EventHandlers handlers, BusPort bus) {
    this.group = group;
    this.name = group.name();
    this.handlers = handlers;
    this.policy = group.policy();
    this.backoff = new Backoff(policy);
    this.bus = bus;
    this.store = bus.deadLetterStore();
    this.idempotency = bus.idempotencyStore();
    this.listener = bus.listener();
    this.listening = listener != DeliveryListener.NONE;
    this.nativeFailures = policy.failureHandling() == DeliveryPolicy.FailureHandling.BROKER;
    this.deduplicates = policy.deduplicate();
    this.send = bus::send;
  }

  public ConsumerGroup group() {
    return group;
  }

  public void attach(BrokerSubscription subscription) {
    this.subscription = subscription;
  }

  public BrokerSubscription subscription() {
    return subscription;
  }

  // ---------------------------------------------------------------- RecordHandler

  @Override
  public CompletionStage<Outcome> deliver(BrokerRecord record, DeliveryInfo info) {
    counters.increment(GroupCounters.RECEIVED);
    Delivery delivery = new Delivery(this, record, info == null ? DeliveryInfo.UNKNOWN : info, false,
        info == null ? 0 : info.attemptsBefore());
    delivery.begin();
    return delivery;
  }

  @Override
  public void onKeysAssigned() {
    store.refresh();
  }

  @Override
  public boolean awaitStopped(CompletionStage<Outcome> stage, Duration timeout) {
    return !(stage instanceof Delivery delivery) || delivery.awaitStopped(timeout.toNanos());
  }

  // ---------------------------------------------------------------- what deliveries use

  String name() {
    return name;
  }

  BusPort bus() {
    return bus;
  }

  /** The bus's send, as the function a unit of work publishes through (one object, not one per record). */
  java.util.function.Function<OrderEvent, CompletionStage<Void>> send() {
    return send;
  }

  DeadLetterStore store() {
    return store;
  }

  IdempotencyStore idempotency() {
    return idempotency;
  }

  EventHandlers handlers() {
    return handlers;
  }

  DeliveryPolicy policy() {
    return policy;
  }

  Backoff backoff() {
    return backoff;
  }

  KeyGate gate() {
    return gate;
  }

  boolean nativeFailures() {
    return nativeFailures;
  }

  boolean deduplicates() {
    return deduplicates;
  }

  boolean listening() {
    return listening;
  }

  Executor workers() {
    return bus.threads().workers();
  }

  Executor blockingLane() {
    BlockingLane lane = blockingLane;
    if (lane == null) {
      synchronized (this) {
        if ((lane = blockingLane) == null) {
          blockingLane = lane = new BlockingLane(bus.threads().blocking(), group.concurrency());
        }
      }
    }
    return lane;
  }

  ScheduledExecutorService timer() {
    return bus.threads().timer();
  }

  /** A delivery went asynchronous: swept for publish timeouts and deadlines, abandoned on shutdown. */
  void live(Delivery delivery) {
    live.add(delivery);
    if (sweep == null) {
      startSweep();
    }
  }

  private synchronized void startSweep() {
    if (sweep == null && !bus.threads().isShutdown()) {
      try {
        sweep = timer().scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // the bus is shutting down; its close abandons what is live
      }
    }
  }

  private void sweep() {
    if (live.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    for (Delivery delivery : live) {
      delivery.publishOverdue(now);
    }
  }

  void completed(Delivery delivery, boolean wasAsync) {
    if (wasAsync) {
      live.remove(delivery);
    }
    counters.increment(GroupCounters.COMPLETED);
  }

  /** The order's record in progress settled: start the next one, or with retry-later, send them all back too. */
  void releaseGate(String key, Outcome retryLater) {
    Delivery next = gate.release(key);
    if (retryLater == null) {
      if (next != null) {
        next.resumeFromGate();
      }
      return;
    }
    // The broker delivers the order's records again in order: none behind it may settle before it.
    while (next != null) {
      next.settleCascaded(retryLater.cause());
      next = gate.release(key);
    }
  }

  void handled(OrderEvent event, int attempt, long nanos, boolean receivedFromBroker) {
    counters.increment(GroupCounters.HANDLED);
    if (receivedFromBroker && EventTypes.isTerminal(event.type())) {
      idempotency.orderEnded(event.orderId()); // published by another process: this bus learns it here
    }
    if (listening) {
      listener.onHandled(name, event, attempt, nanos);
    }
  }

  void duplicate(OrderEvent event) {
    counters.increment(GroupCounters.DUPLICATES);
    listener.onDuplicate(name, event);
  }

  void retry(OrderEvent event, int attempt, Throwable failure) {
    counters.increment(GroupCounters.RETRIED);
    listener.onRetry(name, event, attempt, failure);
  }

  void retryLater(String eventId, Throwable cause) {
    counters.increment(GroupCounters.RETRY_LATER);
    listener.onRetryLater(name, eventId, cause);
  }

  void deadLettered(DeadLetter dl) {
    counters.increment(GroupCounters.DEAD_LETTERED);
    if (dl.key() != null) {
      idempotency.blocked(name, dl.key(), true);
    }
    log.error("group {}: dead-lettered {} {} of order {} after {} attempt(s) as {}: {}",
        name, dl.type(), dl.eventId(), dl.key(), dl.attempts(), dl.id(), dl.reason());
    listener.onDeadLettered(dl);
  }

  void parked(DeadLetter parked) {
    counters.increment(GroupCounters.PARKED);
    log.info("group {}: parked {} of order {} behind dead letter {}", name, parked.type(), parked.key(),
        parked.parkedBehind());
    listener.onParked(parked);
  }

  void deadLetterRefused(DeadLetter dl, RuntimeException refused) {
    counters.increment(GroupCounters.REFUSED_DEAD_LETTERS);
    listener.onDeadLetterRefused(name, dl.eventId(), refused);
  }

  void logFailure(OrderEvent event, int attempt, String what, Throwable failure) {
    log.warn("group {}: handling {} {} of order {} failed on attempt {}, {}: {}", name, event.type().name(),
        event.eventId(), event.orderId(), attempt, what, Delivery.describe(failure));
  }

  /** A transient wait: logged at warn for the first wait of a record and then one in a hundred, so an outage does not flood the log. */
  void waitingForBroker(String eventId, int waits, long delayMillis, Throwable cause) {
    counters.increment(GroupCounters.RETRY_LATER);
    listener.onRetryLater(name, eventId, cause);
    long n = transientLogs.incrementAndGet();
    if (waits == 1 && (n <= 10 || n % 100 == 0)) {
      log.warn("group {}: event {} waits for the broker or a store (trying again in {} ms; {} such waits so far): {}",
          name, eventId, delayMillis, n, Delivery.describe(cause));
    } else {
      log.debug("group {}: event {} still waiting ({} waits): {}", name, eventId, waits, Delivery.describe(cause));
    }
  }

  void logRetryLater(String key, String eventId, String why, Throwable cause) {
    log.warn("group {}: record {} of order {}: {}; it will be delivered again: {}", name, eventId, key, why,
        cause == null ? "" : Delivery.describe(cause));
  }

  static void restoreMdc(String orderId, String correlationId) {
    restore(MDC_ORDER_ID, orderId);
    restore(MDC_CORRELATION_ID, correlationId);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }

  static String parkedReason(String headId) {
    return "parked behind dead letter " + headId + " of the same order";
  }

  // ---------------------------------------------------------------- shutdown

  /** Settles every delivery still in progress as retry-later (the bus is closing for good). */
  public void abandonAll(Throwable cause) {
    ScheduledFuture<?> s = sweep;
    if (s != null) {
      s.cancel(false);
    }
    for (Delivery delivery : live) {
      delivery.settleRetryLater(cause);
    }
  }

  /** Deliveries started and not settled. */
  public long inFlight() {
    long completedNow = counters.sum(GroupCounters.COMPLETED); // read first: overstated, never understated
    return Math.max(0, counters.sum(GroupCounters.RECEIVED) - completedNow);
  }

  // ---------------------------------------------------------------- operator actions: one at a time per group

  /**
   * Handles a dead letter again; on success the records parked behind it follow, in order. Only
   * the first entry of an order may be redriven (a failure, or a parked record whose failure is
   * gone); the others wait behind it.
   */
  public synchronized RedriveResult redrive(DeadLetter dl) {
    store.refresh();
    if (dl.key() != null) {
      List<DeadLetter> order = store.blocking(name, dl.key());
      if (order.isEmpty() || order.stream().noneMatch(d -> d.id().equals(dl.id()))) {
        throw new OmsException(OmsException.Kind.NOT_FOUND, "dead letter " + dl.id() + " is no longer stored");
      }
      DeadLetter first = order.get(0);
      if (!first.id().equals(dl.id())) {
        throw new OmsException(OmsException.Kind.REJECTED, "dead letter " + dl.id() + " of order " + dl.key()
            + " waits behind " + first.id() + "; redrive or discard that one first");
      }
    }
    Delivery outcome = redeliver(dl);
    if (outcome == null || outcome.getNow(null) != Outcome.HANDLED && outcome.getNow(null) != Outcome.DUPLICATE) {
      Throwable failure = outcome == null ? new OmsException(OmsException.Kind.MALFORMED_EVENT, "undecodable")
          : outcome.lastFailure();
      String reason = failure == null ? "failed" : Delivery.describe(failure);
      if (outcome != null && outcome.getNow(null) != null && !outcome.getNow(null).isSettled()) {
        return new RedriveResult(dl.id(), false, 0, dl.id(), "not redriven, try again later: " + reason);
      }
      store.update(asFailure(dl, reason, dl.attempts() + (outcome == null ? 0 : outcome.attemptsMade())));
      return new RedriveResult(dl.id(), false, 0, dl.id(), reason);
    }
    store.remove(dl.id());
    return releaseParked(dl.id(), dl.key(), true);
  }

  /** Drops a dead letter; when it was its order's first entry, the records parked behind it are handled in order. */
  public synchronized RedriveResult discard(DeadLetter dl) {
    store.refresh();
    List<DeadLetter> order = dl.key() == null ? List.of() : store.blocking(name, dl.key());
    boolean first = !order.isEmpty() && order.get(0).id().equals(dl.id());
    store.remove(dl.id());
    log.warn("group {}: discarded dead letter {} ({} {} of order {})", name, dl.id(), dl.type(), dl.eventId(), dl.key());
    if (!first) {
      return new RedriveResult(dl.id(), false, 0, null, null);
    }
    return releaseParked(dl.id(), dl.key(), false);
  }

  private RedriveResult releaseParked(String headId, String key, boolean handledHead) {
    if (key == null) {
      return new RedriveResult(headId, handledHead, 0, null, null);
    }
    int released = 0;
    while (true) {
      List<DeadLetter> order = store.blocking(name, key);
      if (order.isEmpty()) {
        idempotency.blocked(name, key, false);
        return new RedriveResult(headId, handledHead, released, null, null);
      }
      DeadLetter next = order.get(0);
      if (next.isFailure()) {
        return new RedriveResult(headId, handledHead, released, next.id(), next.reason()); // another failure came first
      }
      Delivery outcome = redeliver(next);
      Outcome result = outcome == null ? null : outcome.getNow(null);
      if (result != Outcome.HANDLED && result != Outcome.DUPLICATE) {
        Throwable failure = outcome == null ? null : outcome.lastFailure();
        String reason = failure == null ? "undecodable" : Delivery.describe(failure);
        DeadLetter failed = asFailure(next, reason, outcome == null ? 0 : outcome.attemptsMade());
        store.update(failed);
        for (DeadLetter waiting : order.subList(1, order.size())) {
          store.update(behind(waiting, next.id()));
        }
        counters.increment(GroupCounters.DEAD_LETTERED);
        log.error("group {}: released record {} of order {} failed in turn; it now blocks the order: {}",
            name, next.id(), key, reason);
        listener.onDeadLettered(failed);
        return new RedriveResult(headId, handledHead, released, next.id(), reason);
      }
      store.remove(next.id());
      released++;
    }
  }

  /** Runs a stored record through the handler on this thread's behalf and waits; null when it does not decode. */
  private Delivery redeliver(DeadLetter dl) {
    OrderEvent event;
    try {
      event = bus.storageCodec().decode(dl.body());
    } catch (OmsException e) {
      return null;
    }
    Delivery delivery = new Delivery(this, BrokerRecord.ofEvent(event), DeliveryInfo.FIRST, true, dl.attempts());
    delivery.beginRedrive(event);
    delivery.join();
    return delivery;
  }

  private static DeadLetter asFailure(DeadLetter dl, String reason, int attempts) {
    return new DeadLetter(dl.id(), dl.group(), dl.key(), dl.type(), dl.eventId(), dl.body(), dl.headers(),
        reason, attempts, Instant.now(), null);
  }

  private static DeadLetter behind(DeadLetter dl, String headId) {
    return new DeadLetter(dl.id(), dl.group(), dl.key(), dl.type(), dl.eventId(), dl.body(), dl.headers(),
        parkedReason(headId), dl.attempts(), dl.deadLetteredAt(), headId);
  }

  // ---------------------------------------------------------------- metrics

  public GroupMetrics metrics() {
    BrokerSubscription sub = subscription;
    long parkedNow = store.list(name).stream().filter(d -> !d.isFailure()).count();
    return new GroupMetrics(name, sub != null && sub.isPaused(), sub == null ? -1 : sub.backlog(), inFlight(),
        counters.sum(GroupCounters.HANDLED), counters.sum(GroupCounters.RETRIED),
        counters.sum(GroupCounters.DEAD_LETTERED), counters.sum(GroupCounters.DUPLICATES), parkedNow,
        counters.sum(GroupCounters.RETRY_LATER), counters.sum(GroupCounters.REFUSED_DEAD_LETTERS));
  }

  /** Records this group finished with (settled one way or another); only ever grows. */
  public long completedRecords() {
    return counters.sum(GroupCounters.COMPLETED);
  }
}
