package dev.oms.broker;

import dev.oms.OmsException;
import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.IdempotencyStore;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.broker.spi.UnitOfWork;
import dev.oms.codec.EventCodec;
import dev.oms.event.EventIds;
import dev.oms.event.EventTypes;
import dev.oms.event.OrderEvent;
import dev.oms.internal.Require;
import dev.oms.internal.Stages;
import dev.oms.memory.InMemoryBroker;
import dev.oms.memory.InMemoryDeadLetterStore;
import dev.oms.memory.InMemoryIdempotencyStore;
import dev.oms.runtime.BusPort;
import dev.oms.runtime.GroupRuntime;
import dev.oms.runtime.RuntimeThreads;
import dev.oms.runtime.SafeListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller API: publish events, subscribe consumer groups, manage dead letters. One bus wraps
 * one {@link EventBroker}; everything that must behave the same on every broker (deduplication,
 * retries, dead letters, per-order parking, trace and correlation ids, metrics) happens here.
 *
 * <pre>{@code
 * try (EventBus bus = EventBus.builder().build()) {          // in-memory broker by default
 *   bus.subscribe(ConsumerGroup.named("audit"),
 *       EventHandlers.builder().on(OrderCreated.TYPE, (e, ctx) -> log(e)).build());
 *   bus.publish(orderCreated).toCompletableFuture().join(); // accepted by the broker
 * }
 * }</pre>
 *
 * <p>Threads: one worker per core for every non-blocking step of every group (started on first
 * use), a blocking pool for handlers declared blocking (each group at most its concurrency at
 * once), and one timer thread for retries. No thread waits for the network.
 */
public final class EventBus implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventBus.class);

  /** The pseudo-group of records refused at {@link #publishEncoded}. */
  public static final String INGRESS_GROUP = "$ingress";

  private final EventBroker broker;
  private final EventCodec codec;
  private final EventCodec storageCodec;
  private final DeadLetterStore store;
  private final IdempotencyStore idempotency;
  private final UnitOfWork unitOfWork;
  private final DeliveryListener listener;
  private final Duration closeTimeout;
  private final RuntimeThreads threads;
  private final Map<String, GroupRuntime> groups = new ConcurrentHashMap<>();
  private final DeadLetters deadLetters;
  private final BusPort port = new Port();
  private volatile boolean closing;
  private boolean drained;

  private EventBus(Builder b) {
    this.broker = b.broker != null ? b.broker : InMemoryBroker.ofDefaults();
    this.codec = b.codec != null ? b.codec : EventCodec.ofDefaults();
    this.storageCodec = EventCodec.builder().registry(codec.registry()).maxEventBytes(Integer.MAX_VALUE).build();
    this.store = b.deadLetterStore != null ? b.deadLetterStore : new InMemoryDeadLetterStore();
    this.idempotency = b.idempotencyStore != null ? b.idempotencyStore : InMemoryIdempotencyStore.ofDefaults();
    this.unitOfWork = b.unitOfWork != null ? b.unitOfWork : UnitOfWork.DIRECT;
    this.listener = SafeListener.wrap(b.listener);
    this.closeTimeout = b.closeTimeout;
    this.threads = new RuntimeThreads(b.workerThreads);
    this.deadLetters = new DeadLetters(store, codec, storageCodec, groups::get, port::send);
    Executor workers = task -> threads.workers().execute(task); // started when an adapter first uses it
    broker.start(BrokerContext.of(codec, workers));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Publishes an event to every group subscribed to its type. The stage completes when the broker
   * has accepted it; it never waits for a consumer, so a paused or slow group does not slow the
   * publisher until the broker's own bound is reached.
   */
  public CompletionStage<Void> publish(OrderEvent event) {
    if (closing) {
      return Stages.failed(new OmsException(OmsException.Kind.CLOSED, "the event bus is closed"));
    }
    return port.send(event);
  }

  /**
   * Accepts an event as CloudEvents structured JSON from outside (a webhook, a bridge). A record
   * that is malformed, too large or of an unknown type is not published: it is stored as a dead
   * letter of group {@value #INGRESS_GROUP} with the reason, and the stage fails with an
   * {@link OmsException} naming that dead letter; when the dead-letter store is full, the stage
   * fails with the same kind and says the record was not stored.
   */
  public CompletionStage<Void> publishEncoded(byte[] cloudEventJson) {
    Require.nonNull(cloudEventJson, "event bytes");
    OrderEvent event;
    try {
      event = codec.decode(cloudEventJson);
    } catch (OmsException e) {
      EventCodec.Attributes attributes = codec.peekAttributes(cloudEventJson);
      DeadLetter dl = new DeadLetter(EventIds.newEventId(), INGRESS_GROUP, attributes.subject(), attributes.type(),
          attributes.id(), cloudEventJson, Map.of(), e.kind() + ": " + e.getMessage(), 0, Instant.now(), null);
      try {
        store.add(dl);
      } catch (RuntimeException refused) {
        listener.onDeadLetterRefused(INGRESS_GROUP, attributes.id(), refused);
        return Stages.failed(new OmsException(e.kind(), e.getMessage() + " (refused and not stored: "
            + refused.getMessage() + ")", e));
      }
      listener.onDeadLettered(dl);
      log.warn("refused an incoming event ({}), stored as dead letter {}: {}", e.kind(), dl.id(), e.getMessage());
      return Stages.failed(new OmsException(e.kind(), e.getMessage() + " (stored as dead letter " + dl.id() + ")", e));
    }
    return publish(event);
  }

  /** Subscribes a consumer group on the broker; its handlers decide which event types it receives. */
  public Subscription subscribe(ConsumerGroup group, EventHandlers handlers) {
    GroupRuntime runtime = register(group, handlers);
    try {
      BrokerSubscription sub =
          broker.subscribe(new SubscriptionRequest(group.name(), handlers.types(), group.concurrency()), runtime);
      runtime.attach(sub);
    } catch (RuntimeException e) {
      groups.remove(group.name());
      throw e;
    }
    return new GroupSubscription(runtime);
  }

  /**
   * Subscribes a consumer group fed by a platform that pushes batches (a Lambda function's queue
   * trigger) rather than by this bus's broker, which then only carries what the group publishes.
   */
  public PushSubscription subscribePush(ConsumerGroup group, EventHandlers handlers) {
    GroupRuntime runtime = register(group, handlers);
    PushGroup push = new PushGroup(runtime);
    runtime.attach(push.state);
    return push;
  }

  private GroupRuntime register(ConsumerGroup group, EventHandlers handlers) {
    Require.config(group, "consumer group");
    Require.config(handlers, "handlers");
    if (closing) {
      throw new OmsException(OmsException.Kind.CLOSED, "the event bus is closed");
    }
    if (group.policy().failureHandling() == DeliveryPolicy.FailureHandling.BROKER
        && !broker.capabilities().nativeRedelivery()) {
      throw new OmsException(OmsException.Kind.CONFIGURATION, "group " + group.name() + " leaves failures to the "
          + "broker (FailureHandling.BROKER), but " + broker.name() + " does not redeliver and count deliveries "
          + "itself; use FailureHandling.OMS");
    }
    GroupRuntime runtime = new GroupRuntime(group, handlers, port);
    if (groups.putIfAbsent(group.name(), runtime) != null) {
      throw new OmsException(OmsException.Kind.CONFIGURATION,
          "consumer group " + group.name() + " is already subscribed on this bus");
    }
    return runtime;
  }

  public DeadLetters deadLetters() {
    return deadLetters;
  }

  /** What the bus's idempotency store remembers, and for how long. */
  public IdempotencyStore.Reach idempotencyReach() {
    return idempotency.reach();
  }

  /** A snapshot of every subscribed group's counters. */
  public List<GroupMetrics> metrics() {
    List<GroupMetrics> all = new ArrayList<>();
    for (GroupRuntime runtime : groups.values()) {
      all.add(runtime.metrics());
    }
    all.sort((a, b) -> a.group().compareTo(b.group()));
    return all;
  }

  /** The counters of one group. */
  public GroupMetrics metrics(String group) {
    GroupRuntime runtime = groups.get(group);
    if (runtime == null) {
      throw new OmsException(OmsException.Kind.NOT_FOUND, "no consumer group named " + group);
    }
    return runtime.metrics();
  }

  /**
   * Events accepted and not yet handled, across all groups; 0 means the bus is idle. Group counters
   * are read one after another while handlers may be publishing into groups already read, so a
   * zero only counts when no group finished a record during the reading.
   */
  public long totalBacklog() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      long finishedBefore = completedRecords();
      long pending = 0;
      for (GroupRuntime runtime : groups.values()) {
        BrokerSubscription sub = runtime.subscription();
        long backlog = sub == null ? -1 : sub.backlog();
        pending += Math.max(0, backlog) + runtime.inFlight();
      }
      if (pending > 0) {
        return pending;
      }
      if (completedRecords() == finishedBefore) {
        return 0;
      }
    }
    return 1; // never still long enough to tell: certainly not idle
  }

  private long completedRecords() {
    long total = 0;
    for (GroupRuntime runtime : groups.values()) {
      total += runtime.completedRecords();
    }
    return total;
  }

  public EventCodec codec() {
    return codec;
  }

  public String brokerName() {
    return broker.name();
  }

  public BrokerCapabilities capabilities() {
    return broker.capabilities();
  }

  /**
   * Refuses new publishes, lets accepted events (and the events their handlers publish) finish,
   * then closes the broker. Returns true if everything drained within {@code timeout}; records
   * still in progress then are left to the broker (retry-later), as in a crash.
   */
  public synchronized boolean close(Duration timeout) {
    if (closing) {
      return drained; // closing twice reports how the first close went
    }
    closing = true;
    drained = broker.close(timeout);
    OmsException closed = new OmsException(OmsException.Kind.CLOSED, "the event bus closed");
    for (GroupRuntime runtime : groups.values()) {
      runtime.abandonAll(closed);
    }
    threads.shutdown();
    if (!drained) {
      log.warn("event bus closed before every accepted event was delivered (timeout {}); backlog {}", timeout,
          metrics());
    }
    return drained;
  }

  @Override
  public void close() {
    close(closeTimeout);
  }

  private final class Port implements BusPort {
    @Override
    public CompletionStage<Void> send(OrderEvent event) {
      Require.nonNull(event, "event");
      if (EventTypes.isTerminal(event.type())) {
        idempotency.orderEnded(event.orderId());
      }
      try {
        return broker.send(BrokerRecord.ofEvent(event));
      } catch (RuntimeException e) {
        return Stages.failed(e);
      }
    }

    @Override
    public EventCodec codec() {
      return codec;
    }

    @Override
    public EventCodec storageCodec() {
      return storageCodec;
    }

    @Override
    public DeadLetterStore deadLetterStore() {
      return store;
    }

    @Override
    public IdempotencyStore idempotencyStore() {
      return idempotency;
    }

    @Override
    public UnitOfWork unitOfWork() {
      return unitOfWork;
    }

    @Override
    public DeliveryListener listener() {
      return listener;
    }

    @Override
    public RuntimeThreads threads() {
      return threads;
    }

    @Override
    public boolean closing() {
      return closing;
    }
  }

  private final class GroupSubscription implements Subscription {
    private final GroupRuntime runtime;

    GroupSubscription(GroupRuntime runtime) {
      this.runtime = runtime;
    }

    @Override
    public ConsumerGroup group() {
      return runtime.group();
    }

    @Override
    public void pause() {
      runtime.subscription().pause();
      log.info("group {} paused", runtime.group().name());
    }

    @Override
    public void resume() {
      runtime.subscription().resume();
      log.info("group {} resumed", runtime.group().name());
    }

    @Override
    public GroupMetrics metrics() {
      return runtime.metrics();
    }

    @Override
    public void close() {
      runtime.subscription().close();
      groups.remove(runtime.group().name(), runtime);
    }
  }

  /** A group fed by pushed batches; paused or closed, it answers retry-later so the platform keeps the records. */
  private final class PushGroup implements PushSubscription {
    private final GroupRuntime runtime;
    final PushState state = new PushState();

    PushGroup(GroupRuntime runtime) {
      this.runtime = runtime;
    }

    @Override
    public CompletionStage<List<Outcome>> deliver(List<Pushed> batch) {
      Require.nonNull(batch, "batch");
      if (state.paused || state.closed || closing) {
        Outcome later = Outcome.retryLater(Duration.ofSeconds(1), new OmsException(OmsException.Kind.CLOSED,
            "group " + runtime.group().name() + (state.paused ? " is paused" : " is closed")));
        List<Outcome> all = new ArrayList<>(batch.size());
        batch.forEach(p -> all.add(later));
        return CompletableFuture.completedFuture(all);
      }
      // An order's records go one after another, each once the previous settled; behind one left
      // for later, the rest are left for later too (a FIFO queue redelivers them in order).
      List<CompletableFuture<Outcome>> stages = new ArrayList<>(batch.size());
      Map<String, CompletableFuture<Outcome>> lastOfOrder = new java.util.HashMap<>();
      for (Pushed pushed : batch) {
        String key = keyOf(pushed.record());
        CompletableFuture<Outcome> before = key == null ? null : lastOfOrder.get(key);
        CompletableFuture<Outcome> stage = before == null
            ? runtime.deliver(pushed.record(), pushed.info()).toCompletableFuture()
            : before.thenCompose(previous -> previous.isSettled()
                ? runtime.deliver(pushed.record(), pushed.info())
                : CompletableFuture.completedFuture(Outcome.retryLater(previous.retryAfter(), previous.cause())));
        if (key != null) {
          lastOfOrder.put(key, stage);
        }
        stages.add(stage);
      }
      return CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).handle((v, e) -> {
        List<Outcome> outcomes = new ArrayList<>(stages.size());
        for (CompletableFuture<Outcome> stage : stages) {
          outcomes.add(stage.isCompletedExceptionally() ? Outcome.retryLater(Duration.ZERO, null) : stage.join());
        }
        return outcomes;
      });
    }

    /** The order a pushed record belongs to: its key, else its CloudEvents subject; null when unreadable. */
    private String keyOf(BrokerRecord record) {
      if (record.key() != null) {
        return record.key();
      }
      if (record.event() != null) {
        return record.event().orderId();
      }
      if (record.isBinary()) {
        return record.headers().get("subject");
      }
      return codec.peekAttributes(record.body()).subject();
    }

    @Override
    public ConsumerGroup group() {
      return runtime.group();
    }

    @Override
    public void pause() {
      state.paused = true;
    }

    @Override
    public void resume() {
      state.paused = false;
    }

    @Override
    public GroupMetrics metrics() {
      return runtime.metrics();
    }

    @Override
    public void close() {
      state.closed = true;
      groups.remove(runtime.group().name(), runtime);
    }
  }

  /** The subscription state of a push group, as the runtime's metrics read it. */
  private static final class PushState implements BrokerSubscription {
    volatile boolean paused;
    volatile boolean closed;

    @Override
    public void pause() {
      paused = true;
    }

    @Override
    public void resume() {
      paused = false;
    }

    @Override
    public boolean isPaused() {
      return paused;
    }

    @Override
    public long backlog() {
      return -1; // the platform holds the backlog
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Builds an {@link EventBus}; every setting has a default. */
  public static final class Builder {
    private EventBroker broker;
    private EventCodec codec;
    private DeadLetterStore deadLetterStore;
    private IdempotencyStore idempotencyStore;
    private UnitOfWork unitOfWork;
    private DeliveryListener listener;
    private Duration closeTimeout = Duration.ofSeconds(30);
    private int workerThreads = Runtime.getRuntime().availableProcessors();

    private Builder() {}

    /** The broker adapter; the embedded {@link InMemoryBroker} by default. */
    public Builder broker(EventBroker broker) {
      this.broker = broker;
      return this;
    }

    /** The codec used where bytes leave the process; {@link EventCodec#ofDefaults()} by default. */
    public Builder codec(EventCodec codec) {
      this.codec = codec;
      return this;
    }

    /** Where dead letters and parked records are kept; a bounded {@link InMemoryDeadLetterStore} by default. */
    public Builder deadLetterStore(DeadLetterStore store) {
      this.deadLetterStore = store;
      return this;
    }

    /** What each group remembers of the event ids it handled; {@link InMemoryIdempotencyStore#ofDefaults()} by default. */
    public Builder idempotencyStore(IdempotencyStore store) {
      this.idempotencyStore = store;
      return this;
    }

    /** The hook around every handler run and its follow-on events (an outbox); {@link UnitOfWork#DIRECT} by default. */
    public Builder unitOfWork(UnitOfWork unitOfWork) {
      this.unitOfWork = unitOfWork;
      return this;
    }

    public Builder listener(DeliveryListener listener) {
      this.listener = listener;
      return this;
    }

    /** How long {@link #close()} waits for accepted events to drain; 30 s by default. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = Require.config(closeTimeout, "closeTimeout");
      return this;
    }

    /** Worker threads for non-blocking steps; the number of cores by default. */
    public Builder workerThreads(int workerThreads) {
      Require.configCheck(workerThreads >= 1, "workerThreads must be >= 1, was " + workerThreads);
      this.workerThreads = workerThreads;
      return this;
    }

    public EventBus build() {
      return new EventBus(this);
    }
  }
}
