package dev.oms.internal;

import dev.oms.OmsException;
import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.DeliveryListener;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.broker.EventHandler;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.GroupMetrics;
import dev.oms.broker.RedriveResult;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.codec.EventCodec;
import dev.oms.event.EventIds;
import dev.oms.event.OrderEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Everything a consumer group does with a record, the same on every broker: decode if it came as
 * bytes, park it behind an earlier dead letter of the same order, skip it if its event id was
 * already handled, run the handler with retries and backoff, publish its follow-on events, and
 * dead-letter it after the last attempt.
 *
 * <p>The adapter calls {@link #onRecord} for one key at a time, in order; this class relies on
 * that for per-order ordering and needs no lock on the normal path.
 */
public final class GroupRuntime implements RecordHandler {
  private static final Logger log = LoggerFactory.getLogger(GroupRuntime.class);
  static final String MDC_ORDER_ID = "orderId";
  static final String MDC_CORRELATION_ID = "correlationId";

  private final ConsumerGroup group;
  private final String name;
  private final EventHandlers handlers;
  private final DeliveryPolicy policy;
  private final Backoff backoff;
  private final BusPort bus;
  private final DeadLetterStore store;
  private final DeliveryListener listener;
  private final DedupWindow dedup;
  private final ParkingLot parking = new ParkingLot();
  // In flight = received - completed: two counter updates per record instead of three.
  private final LongAdder received = new LongAdder();
  private final LongAdder completed = new LongAdder();
  private final LongAdder handled = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private volatile BrokerSubscription subscription;

  public GroupRuntime(ConsumerGroup group, EventHandlers handlers, BusPort bus) {
    this.group = group;
    this.name = group.name();
    this.handlers = handlers;
    this.policy = group.policy();
    this.backoff = new Backoff(policy);
    this.bus = bus;
    this.store = bus.deadLetterStore();
    this.listener = bus.listener();
    this.dedup = policy.dedupCapacity() > 0 ? new DedupWindow(policy.dedupCapacity()) : null;
    restoreParking();
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

  @Override
  public void onRecord(BrokerRecord record) {
    received.increment();
    try {
      process(record);
    } finally {
      completed.increment();
    }
  }

  private void process(BrokerRecord record) {
    if (parkIfBlocked(record.key(), record, null)) {
      return;
    }
    OrderEvent event = record.event();
    if (event == null) {
      try {
        event = record.isBinary()
            ? bus.codec().decodeBinary(record.headers(), record.body())
            : bus.codec().decode(record.body());
      } catch (OmsException e) {
        deadLetterUndecodable(record, e);
        return;
      }
      if (record.key() == null && parkIfBlocked(event.orderId(), record, event)) {
        return;
      }
    }
    deliver(event, 0, record);
  }

  /**
   * Handler lookup, deduplication and the attempts, the same for a first delivery and a redrive;
   * a first delivery ({@code record} not null) that fails is dead-lettered here. Every log line
   * about the event, retries and dead-lettering included, carries its ids in the MDC.
   */
  private Attempts deliver(OrderEvent event, int attemptsBefore, BrokerRecord record) {
    String outerOrderId = MDC.get(MDC_ORDER_ID); // a redrive runs on the operator's thread: restore its MDC
    String outerCorrelationId = MDC.get(MDC_CORRELATION_ID);
    MDC.put(MDC_ORDER_ID, event.orderId());
    MDC.put(MDC_CORRELATION_ID, event.metadata().correlationId());
    try {
      Attempts outcome = attempt(event, attemptsBefore);
      if (record != null && outcome.failure != null) {
        deadLetter(event, record, describe(outcome.failure), outcome.attempts);
      }
      return outcome;
    } finally {
      restore(MDC_ORDER_ID, outerOrderId);
      restore(MDC_CORRELATION_ID, outerCorrelationId);
    }
  }

  private Attempts attempt(OrderEvent event, int attemptsBefore) {
    EventHandler<OrderEvent> handler = handlers.handlerFor(event.type().name());
    if (handler == null) {
      return new Attempts(0, new OmsException(OmsException.Kind.UNKNOWN_EVENT_TYPE,
          "group " + name + " has no handler for event type " + event.type().name()));
    }
    long fingerprint = dedup == null ? 0 : DedupWindow.fingerprint(event.eventId());
    if (dedup != null && dedup.contains(event.orderId().hashCode(), fingerprint)) {
      duplicates.increment();
      listener.onDuplicate(name, event);
      return HANDLED;
    }
    return handleWithRetries(event, handler, attemptsBefore, fingerprint);
  }

  /** The attempts made and the last failure, or a null failure on success. */
  private record Attempts(int attempts, Throwable failure) {}

  /** Success: no allocation on the normal path (the attempt count matters only for failures). */
  private static final Attempts HANDLED = new Attempts(0, null);

  private Attempts handleWithRetries(OrderEvent event, EventHandler<OrderEvent> handler, int attemptsBefore,
      long fingerprint) {
    int max = policy.maxAttempts();
    for (int attempt = 1; ; attempt++) {
      Throwable failure = handleOnce(event, handler, attemptsBefore + attempt);
      if (failure == null) {
        if (dedup != null) {
          dedup.add(event.orderId().hashCode(), fingerprint);
        }
        handled.increment();
        return HANDLED;
      }
      if (attempt >= max) {
        return new Attempts(attempt, failure);
      }
      retried.increment();
      listener.onRetry(name, event, attemptsBefore + attempt, failure);
      long delay = backoff.delayMillis(attempt);
      log.warn("group {}: handling {} {} of order {} failed on attempt {}/{}, retrying in {} ms: {}",
          name, event.type().name(), event.eventId(), event.orderId(), attempt, max, delay, describe(failure));
      try {
        Stages.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OmsException(OmsException.Kind.CLOSED,
            "group " + name + " was interrupted while retrying event " + event.eventId() + "; it will be redelivered", e);
      }
    }
  }

  private Throwable handleOnce(OrderEvent event, EventHandler<OrderEvent> handler, int attempt) {
    HandlerContext context = new HandlerContext(name, event, attempt);
    boolean timed = listener != DeliveryListener.NONE; // no clock reads when nobody listens
    long start = timed ? System.nanoTime() : 0;
    try {
      handler.handle(event, context);
      context.flush(bus, policy.publishTimeout());
      context.commit();
    } catch (OutOfMemoryError | InternalError fatal) {
      throw fatal; // the JVM is in trouble; a StackOverflowError, though, is a handler bug like any other
    } catch (Throwable failure) {
      return failure;
    }
    if (!timed) {
      return null;
    }
    try {
      listener.onHandled(name, event, attempt, System.nanoTime() - start);
    } catch (RuntimeException e) {
      // A broken listener must not make a handled event look failed (and publish its outputs again).
      log.warn("group {}: DeliveryListener.onHandled failed: {}", name, e.toString());
    }
    return null;
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }

  // ---- dead letters and parking ----

  private boolean parkIfBlocked(String key, BrokerRecord record, OrderEvent decoded) {
    ParkingLot.Blocked block = parking.blockOf(key);
    if (block == null) {
      return false;
    }
    OrderEvent event = decoded != null ? decoded : record.event();
    String id = EventIds.newEventId();
    String type;
    String eventId;
    if (event != null) {
      type = event.type().name();
      eventId = event.eventId();
    } else {
      EventCodec.Attributes attributes = attributesOf(record);
      type = record.type() != null ? record.type() : attributes.type();
      eventId = attributes.id();
    }
    DeadLetter parked = new DeadLetter(id, name, key, type, eventId,
        event != null ? bodyOf(record, event) : undecodedBodyOf(record), record.headers(), parkedReason(block.headId), 0,
        Instant.now(), block.headId);
    // Store first: a parked record must never exist only in memory.
    store.add(parked);
    if (!parking.park(block, id)) {
      store.remove(id); // the order was released meanwhile: handle the record normally
      return false;
    }
    log.info("group {}: parked {} of order {} behind dead letter {}", name, parked.type(), key, block.headId);
    return true;
  }

  private void deadLetter(OrderEvent event, BrokerRecord record, String reason, int attempts) {
    DeadLetter dl = new DeadLetter(EventIds.newEventId(), name, event.orderId(), event.type().name(),
        event.eventId(), bodyOf(record, event), record.headers(), reason, attempts, Instant.now(), null);
    recordDeadLetter(dl);
  }

  private void deadLetterUndecodable(BrokerRecord record, OmsException error) {
    EventCodec.Attributes attributes = attributesOf(record);
    String key = record.key() != null ? record.key() : attributes.subject();
    if (record.key() == null && parkIfBlocked(key, record, null)) {
      return; // its order already waits behind a dead letter: keep it in line rather than open a second
    }
    DeadLetter dl = new DeadLetter(EventIds.newEventId(), name, key,
        record.type() != null ? record.type() : attributes.type(), attributes.id(), record.body(),
        record.headers(), error.kind() + ": " + error.getMessage(), 0, Instant.now(), null);
    recordDeadLetter(dl);
  }

  private void recordDeadLetter(DeadLetter dl) {
    store.add(dl);
    parking.block(dl.key(), dl.id());
    deadLettered.increment();
    log.error("group {}: dead-lettered {} {} of order {} after {} attempt(s) as {}: {}",
        name, dl.type(), dl.eventId(), dl.key(), dl.attempts(), dl.id(), dl.reason());
    listener.onDeadLettered(dl);
  }

  /** What dead letters keep: structured JSON, which a redrive decodes whatever the transport's mode. */
  private byte[] bodyOf(BrokerRecord record, OrderEvent event) {
    return record.body() != null && !record.isBinary() ? record.body() : bus.storageCodec().encode(event);
  }

  /** A parked record not decoded yet: a binary one is kept structured when it decodes, so a redrive can read it. */
  private byte[] undecodedBodyOf(BrokerRecord record) {
    if (!record.isBinary()) {
      return record.body();
    }
    try {
      return bus.storageCodec().encode(bus.codec().decodeBinary(record.headers(), record.body()));
    } catch (OmsException e) {
      return record.body(); // it will fail its redrive with the reason, like any undecodable record
    }
  }

  private EventCodec.Attributes attributesOf(BrokerRecord record) {
    if (record.isBinary()) {
      Map<String, String> a = record.headers();
      return new EventCodec.Attributes(a.get("id"), a.get("type"), a.get("subject"));
    }
    return bus.codec().peekAttributes(record.body());
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getName() + (message == null ? "" : ": " + message);
  }

  /** After a restart with a durable store: block the orders that still have dead letters. */
  private void restoreParking() {
    for (DeadLetter dl : store.list()) {
      if (!dl.group().equals(name) || dl.key() == null) {
        continue;
      }
      if (dl.isFailure()) {
        parking.block(dl.key(), dl.id());
      } else {
        parking.block(dl.key(), dl.parkedBehind());
        parking.park(parking.blockOf(dl.key()), dl.id());
      }
    }
  }

  // ---- operator actions: one at a time per group ----

  /** Handles a dead letter again; on success, the records parked behind it follow in order. */
  public synchronized RedriveResult redrive(DeadLetter dl) {
    if (!dl.isFailure()) {
      throw new OmsException(OmsException.Kind.REJECTED, "dead letter " + dl.id()
          + " is parked behind " + dl.parkedBehind() + "; redrive or discard that one first");
    }
    Attempts outcome = redeliver(dl);
    if (outcome.failure != null) {
      String reason = describe(outcome.failure);
      store.update(withFailure(dl, reason, dl.attempts() + outcome.attempts));
      return new RedriveResult(dl.id(), false, 0, dl.id(), reason);
    }
    store.remove(dl.id());
    return releaseParked(dl.id(), dl.key(), true);
  }

  /** Drops a dead letter; for a failed record, the records parked behind it are handled in order. */
  public synchronized RedriveResult discard(DeadLetter dl) {
    store.remove(dl.id());
    if (!dl.isFailure()) {
      parking.unpark(dl.key(), dl.id());
      return new RedriveResult(dl.id(), false, 0, null, null);
    }
    log.warn("group {}: discarded dead letter {} ({} {} of order {})", name, dl.id(), dl.type(), dl.eventId(), dl.key());
    return releaseParked(dl.id(), dl.key(), false);
  }

  private RedriveResult releaseParked(String headId, String key, boolean handledHead) {
    if (key == null) {
      return new RedriveResult(headId, handledHead, 0, null, null);
    }
    int released = 0;
    for (String nextId = parking.nextOrRelease(key); nextId != null; nextId = parking.nextOrRelease(key)) {
      DeadLetter next = store.get(nextId).orElse(null);
      if (next == null) {
        parking.unpark(key, nextId);
        continue;
      }
      Attempts outcome = redeliver(next);
      if (outcome.failure != null) {
        String reason = describe(outcome.failure);
        List<String> stillWaiting = parking.promote(key, nextId);
        DeadLetter failed = withFailure(next, reason, outcome.attempts);
        store.update(failed);
        log.error("group {}: released record {} of order {} failed in turn; it now blocks the order: {}",
            name, nextId, key, reason);
        listener.onDeadLettered(failed);
        String newHead = nextId;
        for (String waitingId : stillWaiting) {
          store.get(waitingId).ifPresent(w -> store.update(behind(w, newHead)));
        }
        deadLettered.increment();
        return new RedriveResult(headId, handledHead, released, nextId, reason);
      }
      store.remove(nextId);
      parking.unpark(key, nextId);
      released++;
    }
    return new RedriveResult(headId, handledHead, released, null, null);
  }

  private Attempts redeliver(DeadLetter dl) {
    OrderEvent event;
    try {
      event = bus.storageCodec().decode(dl.body());
    } catch (OmsException e) {
      return new Attempts(0, e);
    }
    return deliver(event, dl.attempts(), null);
  }


  private static DeadLetter withFailure(DeadLetter dl, String reason, int attempts) {
    return new DeadLetter(dl.id(), dl.group(), dl.key(), dl.type(), dl.eventId(), dl.body(), dl.headers(),
        reason, attempts, Instant.now(), null);
  }

  private static String parkedReason(String headId) {
    return "parked behind dead letter " + headId + " of the same order";
  }

  private static DeadLetter behind(DeadLetter dl, String headId) {
    return new DeadLetter(dl.id(), dl.group(), dl.key(), dl.type(), dl.eventId(), dl.body(), dl.headers(),
        parkedReason(headId), dl.attempts(), dl.deadLetteredAt(), headId);
  }

  public GroupMetrics metrics() {
    BrokerSubscription sub = subscription;
    long completedNow = completed.sum(); // read first: in-flight may be overstated, never understated
    long inFlight = Math.max(0, received.sum() - completedNow);
    return new GroupMetrics(name, sub != null && sub.isPaused(), sub == null ? -1 : sub.backlog(), inFlight,
        handled.sum(), retried.sum(), deadLettered.sum(), duplicates.sum(), parking.parkedCount());
  }

  /** Records this group finished with (handled, skipped, parked or dead-lettered); only ever grows. */
  public long completedRecords() {
    return completed.sum();
  }
}
