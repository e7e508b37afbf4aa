package dev.oms.runtime;

import dev.oms.OmsException;
import dev.oms.broker.EventContext;
import dev.oms.broker.EventHandler;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.UnitOfWork;
import dev.oms.codec.EventCodec;
import dev.oms.event.EventIds;
import dev.oms.event.EventMetadata;
import dev.oms.event.OrderEvent;
import dev.oms.internal.Require;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * One record's way through a consumer group, and the stage its adapter waits on. It moves in
 * steps, each on one thread at a time: the first on the delivering thread, the later ones (after an
 * acknowledgement, a retry timer, a blocking handler) on the group's workers or blocking lane.
 * Nothing waits by blocking a thread: a step that would wait schedules the next one and returns.
 *
 * <p>Steps: decode; park behind a dead letter of the order; find the handler; then per attempt:
 * begin the unit of work, claim the event id (a duplicate ends here), run the handler, publish its
 * follow-on events, and once they are accepted run its {@code afterPublish} actions and commit. A
 * failing handler is retried on a timer, then dead-lettered; a transient failure (the broker or the
 * dead-letter store unavailable) waits on a timer without counting an attempt, or ends as
 * retry-later when the delivery has a deadline or the bus is closing.
 *
 * <p>It is also the handler's {@link EventContext}, reset for each attempt: one object per record.
 */
final class Delivery extends CompletableFuture<Outcome> implements EventContext, Runnable {
  private static final int IDLE = 0;
  private static final CompletableFuture<Void> NOTHING_TO_PUBLISH = CompletableFuture.completedFuture(null);
  private static final int PUBLISHING = 1;

  private final GroupRuntime group;
  private final BrokerRecord record;
  private final DeliveryInfo info;
  private final long deadlineNanos; // 0 = none
  private final boolean redrive;
  private final int attemptsBefore;

  private String key;
  private OrderEvent event;
  private EventHandler<OrderEvent> handler;
  private boolean blocking;
  private int failures;
  private int transientWaits;
  private Throwable lastFailure;
  private int attemptNumber;

  // the current attempt
  private UnitOfWork.Work work;
  private boolean claimed;
  private OrderEvent firstOutput;
  private List<OrderEvent> moreOutputs;
  /**
   * Ids of follow-on events the broker acknowledged in an earlier attempt of this delivery (a later
   * step of it failed): a retry does not send them again, so a downstream group does not see them
   * twice, however long after the order ended the retry comes. Null until then: a set of ids.
   */
  private Set<String> acceptedOutputs;
  private int followOns;
  private Runnable firstCommit;
  private List<Runnable> moreCommits;
  private long handlerNanos;

  private boolean holdsGate;
  private boolean async;
  private volatile int phase = IDLE;
  private volatile long publishStartNanos;
  // Plain fields behind VarHandles rather than Atomic* objects: one allocation per record, not four.
  private volatile int token;
  private volatile int running;
  private volatile boolean finished;
  private static final VarHandle TOKEN;
  private static final VarHandle RUNNING;
  private static final VarHandle FINISHED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TOKEN = lookup.findVarHandle(Delivery.class, "token", int.class);
      RUNNING = lookup.findVarHandle(Delivery.class, "running", int.class);
      FINISHED = lookup.findVarHandle(Delivery.class, "finished", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  Delivery(GroupRuntime group, BrokerRecord record, DeliveryInfo info, boolean redrive, int attemptsBefore) {
    this.group = group;
    this.record = record;
    this.info = info;
    this.redrive = redrive;
    this.attemptsBefore = attemptsBefore;
    Instant deadline = info.deadline();
    this.deadlineNanos = deadline == null ? 0
        : System.nanoTime() + Math.max(1, TimeUnit.MILLISECONDS.toNanos(Duration.between(Instant.now(), deadline).toMillis()));
  }

  // ---------------------------------------------------------------- entry points

  /** Starts a delivered record on the calling thread: finds its order, then waits at the gate or proceeds. */
  void begin() {
    runStep(this);
  }

  /** The first step, on the delivering thread (passed to {@link #runStep} as the delivery itself: no lambda per record). */
  @Override
  public void run() {
    key = record.key();
    if (key == null && record.event() != null) {
      key = record.event().orderId();
    }
    if (key == null && !decode()) {
      return; // undecodable, and it said nothing of its order: dead-lettered on its own
    }
    if (key != null && group.gate().queueIfHeld(key, this)) {
      holdsGate = true; // queued: it holds the gate once released to it
      return;
    }
    proceed();
  }

  /** Released from the gate: the previous record of the order settled. */
  void resumeFromGate() {
    holdsGate = true;
    dispatch(group.workers(), this::proceed);
  }

  /** Starts a redrive: no gate and no parking (the order is blocked by this very record), no dead-lettering. */
  void beginRedrive(OrderEvent decoded) {
    event = decoded;
    key = decoded.orderId();
    runStep(this::findHandlerAndAttempt); // the MDC is set: the event is known
  }

  // ---------------------------------------------------------------- the steps

  private void proceed() {
    if (abandoned()) {
      return;
    }
    if (event == null && !decode()) {
      return;
    }
    if (!group.nativeFailures() && group.store().isBlocked(group.name(), key)) {
      park();
      return;
    }
    findHandlerAndAttempt();
  }

  /** Decodes a bytes record; an undecodable one is dead-lettered (or parked) here. False when it was. */
  private boolean decode() {
    if (record.event() != null) {
      event = record.event();
      enterMdc();
      return true;
    }
    try {
      EventCodec codec = group.bus().codec();
      event = record.isBinary() ? codec.decodeBinary(record.headers(), record.body()) : codec.decode(record.body());
    } catch (OmsException e) {
      undecodable(e);
      return false;
    }
    if (key == null) {
      key = event.orderId();
    }
    enterMdc();
    return true;
  }

  private void undecodable(OmsException error) {
    EventCodec.Attributes attributes = attributesOf();
    if (key == null) {
      key = attributes.subject();
      if (key != null && group.gate().queueIfHeld(key, this)) {
        holdsGate = true;
        return; // behind an earlier record of its order; decoded (and failed) again when released
      }
    }
    if (group.nativeFailures()) {
      retryLaterNow(error, "undecodable, left to the broker's redelivery and dead-letter queue");
      return;
    }
    if (key != null && group.store().isBlocked(group.name(), key)) {
      park();
      return;
    }
    String type = record.type() != null ? record.type() : attributes.type();
    deadLetter(new DeadLetter(EventIds.newEventId(), group.name(), key, type, attributes.id(), record.body(),
        record.headers(), error.kind() + ": " + error.getMessage(), 0, Instant.now(), null));
  }

  private void findHandlerAndAttempt() {
    handler = group.handlers().handlerFor(event.type().name());
    if (handler == null) {
      OmsException unknown = new OmsException(OmsException.Kind.UNKNOWN_EVENT_TYPE,
          "group " + group.name() + " has no handler for event type " + event.type().name());
      if (redrive) {
        lastFailure = unknown;
        settle(Outcome.DEAD_LETTERED);
      } else if (group.nativeFailures()) {
        retryLaterNow(unknown, "no handler, left to the broker's redelivery and dead-letter queue");
      } else {
        deadLetter(deadLetterOf(describe(unknown), 0));
      }
      return;
    }
    blocking = group.handlers().isBlocking(event.type().name()) || group.bus().unitOfWork().blocking();
    if (blocking) {
      goAsync();
      dispatch(group.blockingLane(), this::tryOnce);
      return;
    }
    tryOnce();
  }

  private void tryOnce() {
    if (abandoned()) {
      return;
    }
    if (deadlinePassed(0)) {
      retryLaterNow(new OmsException(OmsException.Kind.TIMEOUT, "the delivery's deadline passed"), "deadline");
      return;
    }
    attemptNumber = attemptsBefore + failures + 1;
    resetContext();
    try {
      work = group.bus().unitOfWork().begin(group.name(), event, attemptNumber);
      if (work == null) {
        throw new IllegalStateException("UnitOfWork.begin returned null");
      }
    } catch (RuntimeException e) {
      work = null;
      transientFailure(e, this::tryOnce);
      return;
    }
    if (group.deduplicates()) {
      boolean first;
      try {
        first = group.idempotency().claim(work, group.name(), event);
      } catch (RuntimeException e) {
        transientFailure(e, this::tryOnce);
        return;
      }
      if (!first) {
        rollback(null);
        group.duplicate(event);
        settle(Outcome.DUPLICATE);
        return;
      }
      claimed = true;
    }
    Throwable failure = runHandler();
    if (failure != null) {
      handlerFailed(failure);
      return;
    }
    if (acceptedOutputs != null) {
      dropAccepted();
    }
    CompletableFuture<Void> published;
    try {
      CompletionStage<Void> stage = work == UnitOfWork.Work.DIRECT && moreOutputs == null
          ? (firstOutput == null ? null : group.send().apply(firstOutput)) // the common case, without a list
          : work.publish(outputs(), group.send());
      published = stage == null ? (firstOutput == null && work == UnitOfWork.Work.DIRECT ? NOTHING_TO_PUBLISH
          : CompletableFuture.failedFuture(new IllegalStateException("publish returned null"))) : stage.toCompletableFuture();
    } catch (RuntimeException e) {
      published = CompletableFuture.failedFuture(e);
    }
    if (published.isDone()) {
      published(published);
      return;
    }
    goAsync();
    int expected = token;
    publishStartNanos = System.nanoTime();
    phase = PUBLISHING;
    CompletableFuture<Void> pending = published;
    boolean finishWhereAcknowledged = !blocking && firstCommit == null && work == UnitOfWork.Work.DIRECT;
    pending.whenComplete((ok, error) -> {
      if (TOKEN.compareAndSet(this, expected, expected + 1)) {
        phase = IDLE;
        if (error == null && finishWhereAcknowledged) {
          // Nothing of the handler's is left to run (no afterPublish action, no transaction): settle on the
          // thread that saw the acknowledgement rather than pay a hand-over to a worker per record.
          runStep(() -> published(pending));
        } else {
          dispatch(executor(), () -> published(pending));
        }
      }
    });
  }

  /** Runs the handler (the order's ids are in the MDC: see {@link #runStep}); the failure, or null. */
  private Throwable runHandler() {
    boolean timed = group.listening();
    long start = timed ? System.nanoTime() : 0;
    try {
      handler.handle(event, this);
      return null;
    } catch (OutOfMemoryError | InternalError fatal) {
      throw fatal; // the JVM is in trouble; a StackOverflowError, though, is a handler bug like any other
    } catch (Throwable failure) {
      return failure;
    } finally {
      if (timed) {
        handlerNanos = System.nanoTime() - start;
      }
    }
  }

  /** The follow-on events were accepted (or failed): commit, or fail the attempt. */
  private void published(CompletableFuture<Void> publishing) {
    if (abandoned()) {
      return;
    }
    Throwable error = failureOf(publishing);
    if (error != null) {
      if (isTransient(error)) {
        transientFailure(error, this::tryOnce);
      } else {
        handlerFailed(error);
      }
      return;
    }
    try {
      runAfterPublish();
    } catch (OutOfMemoryError | InternalError fatal) {
      throw fatal;
    } catch (Throwable failure) {
      if (work == UnitOfWork.Work.DIRECT && firstOutput != null) {
        rememberAccepted(); // sent for good (a transactional unit of work rolls its staging back instead)
      }
      handlerFailed(failure);
      return;
    }
    try {
      work.commit();
    } catch (Exception e) {
      if (isTransient(e)) {
        transientFailure(e, this::tryOnce);
      } else {
        handlerFailed(e);
      }
      return;
    }
    work = null;
    claimed = false; // kept: the claim is now the record that the event was handled
    group.handled(event, attemptNumber, handlerNanos, record.event() == null);
    settle(Outcome.HANDLED);
  }

  /** Called by the runtime's sweep when a publish has waited longer than the publish timeout or the deadline. */
  void publishOverdue(long now) {
    int expected = token;
    if (phase != PUBLISHING) {
      return;
    }
    boolean late = now - publishStartNanos > group.policy().publishTimeout().toNanos();
    boolean deadline = deadlineNanos != 0 && now - deadlineNanos > 0;
    if ((late || deadline) && TOKEN.compareAndSet(this, expected, expected + 1)) {
      phase = IDLE;
      OmsException timeout = new OmsException(OmsException.Kind.TIMEOUT, deadline
          ? "the delivery's deadline passed while its follow-on events waited for the broker"
          : "the broker did not accept the follow-on events within " + group.policy().publishTimeout());
      dispatch(executor(), () -> {
        if (!abandoned()) {
          transientFailure(timeout, this::tryOnce);
        }
      });
    }
  }

  private void handlerFailed(Throwable failure) {
    rollback(failure);
    failures++;
    lastFailure = failure;
    int max = group.policy().maxAttempts();
    if (group.nativeFailures() && !redrive) {
      long delay = group.backoff().delayMillis(Math.max(1, info.deliveryCount()));
      group.logFailure(event, attemptNumber, "left to the broker's redelivery in " + delay + " ms", failure);
      group.retry(event, attemptNumber, failure);
      finishRetryLater(Duration.ofMillis(delay), failure);
      return;
    }
    if (redrive ? failures >= max : attemptNumber >= max) {
      if (redrive) {
        settle(Outcome.DEAD_LETTERED);
      } else {
        deadLetter(deadLetterOf(describe(failure), attemptNumber));
      }
      return;
    }
    long delay = group.backoff().delayMillis(failures);
    if (deadlinePassed(TimeUnit.MILLISECONDS.toNanos(delay))) {
      group.logFailure(event, attemptNumber, "the delivery's deadline comes before the retry: retry later", failure);
      finishRetryLater(Duration.ofMillis(delay), failure);
      return;
    }
    group.retry(event, attemptNumber, failure);
    group.logFailure(event, attemptNumber, "retrying in " + delay + " ms (attempt " + attemptNumber + "/" + max + ")", failure);
    schedule(delay, this::tryOnce);
  }

  /**
   * The broker or a store is unavailable: nothing is wrong with the record. Wait and try the same
   * step again, without counting an attempt; or, with a deadline that comes first, on a closing bus
   * or in a redrive, end as retry-later.
   */
  private void transientFailure(Throwable cause, Runnable again) {
    rollback(cause);
    transientWaits++;
    long delay = group.backoff().delayMillis(Math.min(transientWaits, 16));
    if (redrive || group.bus().closing() || deadlinePassed(TimeUnit.MILLISECONDS.toNanos(delay))) {
      lastFailure = cause;
      finishRetryLater(Duration.ofMillis(delay), cause);
      return;
    }
    group.waitingForBroker(event != null ? event.eventId() : record.eventId(), transientWaits, delay, cause);
    schedule(delay, again);
  }

  private void retryLaterNow(Throwable cause, String why) {
    lastFailure = cause;
    group.logRetryLater(key, event != null ? event.eventId() : record.eventId(), why, cause);
    finishRetryLater(Duration.ZERO, cause);
  }

  private void finishRetryLater(Duration after, Throwable cause) {
    group.retryLater(event != null ? event.eventId() : record.eventId(), cause);
    settle(Outcome.retryLater(after, cause));
  }

  // ---------------------------------------------------------------- dead letters and parking

  private DeadLetter deadLetterOf(String reason, int attempts) {
    return new DeadLetter(EventIds.newEventId(), group.name(), event.orderId(), event.type().name(), event.eventId(),
        bodyOfEvent(), record.headers(), reason, attempts, Instant.now(), null);
  }

  private void deadLetter(DeadLetter dl) {
    if (abandoned()) {
      return;
    }
    try {
      group.store().add(dl);
    } catch (RuntimeException refused) {
      group.deadLetterRefused(dl, refused);
      transientFailure(refused, () -> deadLetter(dl));
      return;
    }
    group.deadLettered(dl);
    settle(Outcome.DEAD_LETTERED);
  }

  private void park() {
    if (abandoned()) {
      return;
    }
    List<DeadLetter> blocking = group.store().blocking(group.name(), key);
    String head = blocking.isEmpty() ? null : blocking.get(0).id();
    if (head == null) {
      findOrDecodeThenAttempt(); // released meanwhile
      return;
    }
    DeadLetter parked = new DeadLetter(EventIds.newEventId(), group.name(), key,
        event != null ? event.type().name() : record.type() != null ? record.type() : attributesOf().type(),
        event != null ? event.eventId() : attributesOf().id(), event != null ? bodyOfEvent() : undecodedBody(),
        record.headers(), GroupRuntime.parkedReason(head), 0, Instant.now(), head);
    boolean stored;
    try {
      stored = group.store().park(parked);
    } catch (RuntimeException refused) {
      group.deadLetterRefused(parked, refused);
      transientFailure(refused, this::park);
      return;
    }
    if (!stored) {
      findOrDecodeThenAttempt(); // the order was released between the look and the park
      return;
    }
    group.parked(parked);
    settle(Outcome.PARKED);
  }

  private void findOrDecodeThenAttempt() {
    if (event == null) {
      if (!decode()) {
        return;
      }
    }
    findHandlerAndAttempt();
  }

  /** What dead letters keep: structured JSON, which a redrive decodes whatever the transport's mode. */
  private byte[] bodyOfEvent() {
    return record.body() != null && !record.isBinary() ? record.body() : group.bus().storageCodec().encode(event);
  }

  /** A parked record not decoded yet: a binary one is kept structured when it decodes, so a redrive can read it. */
  private byte[] undecodedBody() {
    if (!record.isBinary()) {
      return record.body();
    }
    try {
      return group.bus().storageCodec().encode(group.bus().codec().decodeBinary(record.headers(), record.body()));
    } catch (OmsException e) {
      return record.body(); // it will fail its redrive with the reason, like any undecodable record
    }
  }

  private EventCodec.Attributes attributesOf() {
    if (record.isBinary()) {
      Map<String, String> a = record.headers();
      return new EventCodec.Attributes(a.get("id"), a.get("type"), a.get("subject"));
    }
    if (record.body() == null) {
      return new EventCodec.Attributes(null, record.type(), record.key());
    }
    return group.bus().codec().peekAttributes(record.body());
  }

  // ---------------------------------------------------------------- settling

  /** Ends the delivery with {@code outcome}: counts it, completes the stage, and opens the gate. */
  private void settle(Outcome outcome) {
    if (!FINISHED.compareAndSet(this, false, true)) {
      return;
    }
    rollback(null); // a no-op unless an attempt was abandoned half-way
    group.completed(this, async);
    complete(outcome);
    if (holdsGate && key != null) {
      group.releaseGate(key, outcome.isSettled() ? null : outcome);
    }
  }

  /** Settles as retry-later behind a record of its order left for later: the gate is released by the caller. */
  void settleCascaded(Throwable cause) {
    holdsGate = false;
    settleRetryLater(cause);
  }

  /** Settles as retry-later from outside (the bus shutting down, an internal failure). */
  void settleRetryLater(Throwable cause) {
    group.retryLater(event != null ? event.eventId() : record.eventId(), cause);
    settle(Outcome.retryLater(Duration.ZERO, cause));
  }

  /** True once the stage completed (settled, cancelled by the adapter, abandoned): cleans up and tells the caller to stop. */
  private boolean abandoned() {
    if (!isDone() && !finished) {
      return false;
    }
    settle(Outcome.retryLater(Duration.ZERO, new java.util.concurrent.CancellationException("abandoned")));
    return true;
  }

  private void rollback(Throwable cause) {
    if (claimed) {
      claimed = false;
      try {
        group.idempotency().release(work, group.name(), event);
      } catch (RuntimeException e) {
        group.logRetryLater(key, event.eventId(), "releasing its idempotency claim failed", e);
      }
    }
    UnitOfWork.Work w = work;
    if (w != null) {
      work = null;
      try {
        w.rollback(cause);
      } catch (RuntimeException e) {
        group.logRetryLater(key, event != null ? event.eventId() : null, "rolling back its unit of work failed", e);
      }
    }
  }

  // ---------------------------------------------------------------- threads

  /** Registers the delivery as asynchronous: it holds its order's gate and is swept for timeouts. */
  private void goAsync() {
    if (!async) {
      async = true;
      group.live(this);
      if (!holdsGate && key != null && !redrive) {
        holdsGate = true;
        group.gate().hold(key);
      }
    }
  }

  private Executor executor() {
    return blocking ? group.blockingLane() : group.workers();
  }

  private void schedule(long delayMillis, Runnable step) {
    goAsync();
    try {
      group.timer().schedule(() -> dispatch(executor(), step), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      finishRetryLater(Duration.ZERO, new OmsException(OmsException.Kind.CLOSED, "the event bus is closed"));
    }
  }

  private void dispatch(Executor executor, Runnable step) {
    try {
      executor.execute(() -> runStep(step));
    } catch (RejectedExecutionException closed) {
      settleRetryLater(new OmsException(OmsException.Kind.CLOSED, "the event bus is closed"));
    }
  }

  /**
   * Runs one step, counted so {@link #awaitStopped} can wait for it; a step that throws never
   * leaves the record hanging. Every log line of the step, and the handler, see the order's ids in
   * the MDC; the thread's own MDC values (an operator's, during a redrive) are back afterwards.
   */
  private void runStep(Runnable step) {
    RUNNING.getAndAdd(this, 1);
    String outerOrderId = MDC_ON ? MDC.get(GroupRuntime.MDC_ORDER_ID) : null;
    String outerCorrelationId = MDC_ON ? MDC.get(GroupRuntime.MDC_CORRELATION_ID) : null;
    try {
      if (event != null) {
        enterMdc();
      }
      step.run();
    } catch (OutOfMemoryError | InternalError fatal) {
      throw fatal;
    } catch (Throwable bug) {
      group.logRetryLater(key, event != null ? event.eventId() : null, "an internal step failed", bug);
      settleRetryLater(bug);
    } finally {
      if (MDC_ON) {
        GroupRuntime.restoreMdc(outerOrderId, outerCorrelationId);
      }
      RUNNING.getAndAdd(this, -1);
    }
  }

  /** False when SLF4J has no MDC (no logging backend, slf4j-nop): then nothing is put in it per record. */
  private static final boolean MDC_ON = !(MDC.getMDCAdapter() instanceof org.slf4j.helpers.NOPMDCAdapter);

  private void enterMdc() {
    if (MDC_ON) {
      MDC.put(GroupRuntime.MDC_ORDER_ID, event.orderId());
      MDC.put(GroupRuntime.MDC_CORRELATION_ID, event.metadata().correlationId());
    }
  }

  /** Waits until no step runs (after a cancellation, so none starts). */
  boolean awaitStopped(long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (running > 0) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(100_000);
    }
    return true;
  }

  private boolean deadlinePassed(long afterNanos) {
    return deadlineNanos != 0 && System.nanoTime() + afterNanos - deadlineNanos > 0;
  }

  // ---------------------------------------------------------------- results for the runtime

  String key() {
    return key;
  }

  Throwable lastFailure() {
    return lastFailure;
  }

  int attemptsMade() {
    return failures;
  }

  // ---------------------------------------------------------------- EventContext

  private void resetContext() {
    firstOutput = null;
    moreOutputs = null;
    followOns = 0;
    firstCommit = null;
    moreCommits = null;
  }

  @Override
  public String group() {
    return group.name();
  }

  @Override
  public int attempt() {
    return attemptNumber;
  }

  @Override
  public String traceparent() {
    return event.metadata().traceparent();
  }

  @Override
  public String correlationId() {
    return event.metadata().correlationId();
  }

  @Override
  public void publish(OrderEvent output) {
    Require.nonNull(output, "published event");
    if (firstOutput == null) {
      firstOutput = output;
    } else {
      if (moreOutputs == null) {
        moreOutputs = new ArrayList<>(2);
      }
      moreOutputs.add(output);
    }
  }

  @Override
  public EventMetadata followOn() {
    return EventMetadata.causedBy(event, EventIds.derivedEventId(event.eventId(), group.name(), followOns++));
  }

  @Override
  public void afterPublish(Runnable action) {
    Require.nonNull(action, "afterPublish action");
    if (firstCommit == null) {
      firstCommit = action;
    } else {
      if (moreCommits == null) {
        moreCommits = new ArrayList<>(2);
      }
      moreCommits.add(action);
    }
  }

  /** Records this attempt's follow-on events as acknowledged, for the retries after a later step failed. */
  private void rememberAccepted() {
    if (acceptedOutputs == null) {
      acceptedOutputs = new HashSet<>(4);
    }
    acceptedOutputs.add(firstOutput.eventId());
    if (moreOutputs != null) {
      for (OrderEvent output : moreOutputs) {
        acceptedOutputs.add(output.eventId());
      }
    }
  }

  /** Leaves out of this attempt's follow-on events those an earlier attempt already had acknowledged. */
  private void dropAccepted() {
    List<OrderEvent> left = new ArrayList<>(2);
    for (OrderEvent output : outputs()) {
      if (!acceptedOutputs.contains(output.eventId())) {
        left.add(output);
      }
    }
    firstOutput = left.isEmpty() ? null : left.get(0);
    moreOutputs = left.size() > 1 ? new ArrayList<>(left.subList(1, left.size())) : null;
  }

  private List<OrderEvent> outputs() {
    if (firstOutput == null) {
      return List.of();
    }
    if (moreOutputs == null) {
      return List.of(firstOutput);
    }
    List<OrderEvent> all = new ArrayList<>(moreOutputs.size() + 1);
    all.add(firstOutput);
    all.addAll(moreOutputs);
    return all;
  }

  private void runAfterPublish() {
    if (firstCommit != null) {
      firstCommit.run();
      if (moreCommits != null) {
        for (Runnable action : moreCommits) {
          action.run();
        }
      }
    }
  }

  // ---------------------------------------------------------------- failure kinds

  private static Throwable failureOf(CompletableFuture<Void> stage) {
    if (!stage.isCompletedExceptionally()) {
      return null;
    }
    try {
      stage.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause() == null ? e : e.getCause();
    } catch (java.util.concurrent.CancellationException e) {
      return e;
    }
  }

  /** Failures of the broker or a store, not of the record: waited out, never dead-lettered. */
  static boolean isTransient(Throwable error) {
    if (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    if (error instanceof OmsException oms) {
      return switch (oms.kind()) {
        case BROKER_UNAVAILABLE, TIMEOUT, BACKPRESSURE, CLOSED, DEAD_LETTERS_FULL -> true;
        default -> false;
      };
    }
    return false;
  }

  /** A failure as a dead letter's reason: the class (with the kind, for an OmsException) and the message. */
  static String describe(Throwable t) {
    String message = t.getMessage();
    String kind = t instanceof OmsException oms ? "[" + oms.kind() + "]" : "";
    return t.getClass().getName() + kind + (message == null ? "" : ": " + message);
  }
}
