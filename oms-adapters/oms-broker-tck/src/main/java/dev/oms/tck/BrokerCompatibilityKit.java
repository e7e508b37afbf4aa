package dev.oms.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.oms.OmsException;
import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.RedriveResult;
import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.PushSubscription;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.ForwardingEventBroker;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.codec.EventCodec;
import dev.oms.event.EventType;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OutOfStock;
import dev.oms.event.StockReleased;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The broker compatibility kit: the rules every {@link EventBroker} adapter must pass. An adapter
 * module depends on {@code dev.oms:oms-broker-tck} in test scope and extends this class once:
 *
 * <pre>{@code
 * class MyBrokerCompatibilityTest extends BrokerCompatibilityKit {
 *   @Override
 *   protected EventBroker createBroker(String namespace) {
 *     return new MyBroker(MyBrokerConfig.builder().topicPrefix(namespace).build());
 *   }
 * }
 * }</pre>
 *
 * <p>The rules live in two nested classes. {@link RequiredTier} ({@code required_...} tests) holds
 * for every adapter. {@link OptionalTier} ({@code optional_...} tests) runs only the rules the
 * adapter's {@link BrokerCapabilities} declare ({@code durable}, {@code replay}); the others are
 * skipped with a message saying why. Each test name says the rule it checks.
 *
 * <p>How the kit treats the adapter:
 *
 * <ul>
 *   <li>Every test gets a fresh namespace ({@code tck-<test>-<random>}, lowercase {@code [a-z0-9-]},
 *       at most 40 characters) and creates all its instances with it.
 *   <li>{@code subscribe} returning means the group exists: every record sent afterwards must
 *       reach it (a remote adapter waits for its assignment, or starts a new group at the earliest
 *       position).
 *   <li>Every broker the kit creates is started (with a context like the bus gives it) and, like
 *       every bus and thread of the kit, closed after the test, pass or fail, with
 *       {@link #cleanupTimeout()}; a broker passed to {@link #crash} is not closed afterwards.
 *       {@code close} may be called more than once and must be harmless the second time.
 *   <li>Consumer group names are unique per test; records are {@link OutOfStock} events (plus
 *       {@link StockReleased} and {@link OrderCreated} where a second type or a large event is
 *       needed) with unique order and event ids, built by {@link TckEvents}.
 * </ul>
 */
// The optional tier runs last, and the broker restart last of all: a restarted server may take a
// while to settle, and that must not be charged to another rule.
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
public abstract class BrokerCompatibilityKit {
  private static final System.Logger LOG = System.getLogger(BrokerCompatibilityKit.class.getName());
  private static final EventCodec CODEC = EventCodec.ofDefaults();
  private static final Duration POLL = Duration.ofMillis(20);
  private static final int MAX_TESTED_RECORD_BYTES = 16 * 1024 * 1024;
  /** How long a handler that was running when its instance crashed goes on running (a thread cannot be killed). */
  private static final Duration CRASHED_HANDLER_RUN = Duration.ofMillis(300);
  /** How long the hand-over rule holds a record of the joining instance, and how many such holds may time out. */
  private static final Duration HAND_OVER_HOLD = Duration.ofMillis(100);
  private static final int HAND_OVER_HOLDS = 8;

  private final Deque<Cleanup> cleanups = new ArrayDeque<>();
  private final Set<EventBroker> crashed = Collections.newSetFromMap(new ConcurrentHashMap<>());
  private String namespace;
  private String run;
  private TckEvents events;
  private BrokerCapabilities capabilities;

  // ---------------------------------------------------------------- what an adapter implements

  /**
   * A new adapter instance, not yet started. All instances created with the same namespace within
   * one test must talk to the same backend and the same topics/queues; different namespaces must
   * be isolated from each other (the kit passes a fresh namespace per test, e.g.
   * {@code "tck-<method>-<random>"}, lowercase {@code [a-z0-9-]}, at most 40 chars). For an
   * in-process broker each call is simply a new broker.
   */
  protected abstract EventBroker createBroker(String namespace);

  /**
   * Optional tier hook: stop and restart the broker server itself, returning once it accepts
   * clients again (durability test). Only called when {@code capabilities().durable()}; a durable
   * adapter must override it, or its durability rule fails saying so.
   */
  protected void restartBackend() {
    throw new UnsupportedOperationException("restartBackend() is not implemented by this adapter's kit subclass");
  }

  /**
   * Optional tier hook: why the broker server cannot be restarted from a test (a managed service,
   * a shared cluster), or empty (the default) when {@link #restartBackend()} works. A reason skips
   * the durability-across-restart rule with that reason instead of failing it. {@code restartBackend}
   * may also throw {@link BackendNotRestartable}, to the same effect.
   */
  protected Optional<String> backendCannotBeRestarted() {
    return Optional.empty();
  }

  /** What {@link #restartBackend()} throws when the backend cannot be restarted here: the rule is skipped with the message. */
  public static class BackendNotRestartable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendNotRestartable(String reason) {
      super(reason);
    }
  }

  /**
   * Optional tier hook: make this adapter instance stop as if its process had crashed: no commit of
   * anything in flight, no graceful hand-over (for example: close its client connections without
   * committing, or kill the process that hosts it). Only called when
   * {@code capabilities().durable()}; the kit does not call {@code close} on the instance
   * afterwards. A durable adapter must override it, or its crash rule fails saying so.
   */
  protected void crash(EventBroker broker) {
    throw new UnsupportedOperationException("crash(EventBroker) is not implemented by this adapter's kit subclass");
  }

  /**
   * Push tier hook: whether the adapter's platform pushes batches to a function (a queue trigger)
   * that hands them to {@code EventBus.subscribePush}; false by default, which skips the push tier.
   */
  protected boolean runsPushTier() {
    return false;
  }

  /**
   * Push tier hook: the record (and delivery info) the adapter's push platform would hand over for
   * {@code event}, as its binding decodes an invocation's batch item. The default is what a queue
   * carrying CloudEvents structured JSON gives: the bytes, the type and the key (message group).
   */
  protected PushSubscription.Pushed pushed(OrderEvent event, DeliveryInfo info) {
    return new PushSubscription.Pushed(BrokerRecord.ofBytes(event.type().name(), event.orderId(), Map.of(),
        TckEvents.encode(event)), info);
  }

  /** Push tier hook: a batch item whose body is {@code body} as received (bytes that may not decode). */
  protected PushSubscription.Pushed pushedBytes(byte[] body, DeliveryInfo info) {
    return new PushSubscription.Pushed(BrokerRecord.ofBytes(null, null, Map.of(), body), info);
  }

  /**
   * How long the kit waits for a delivery, a send or a close before failing; remote brokers may
   * override. 30 s by default. The kit never waits this long when the adapter behaves.
   */
  protected Duration deliveryTimeout() {
    return Duration.ofSeconds(30);
  }

  /** How long the kit's cleanup lets each broker or bus close: the lesser of 10 s and the delivery timeout. */
  protected Duration cleanupTimeout() {
    Duration timeout = deliveryTimeout();
    return timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10);
  }

  // ---------------------------------------------------------------- lifecycle

  @BeforeEach
  final void kitSetUp(TestInfo info) {
    String method = info.getTestMethod().map(m -> m.getName()).orElse(info.getDisplayName());
    this.namespace = namespaceFor(method);
    this.run = namespace.substring(namespace.lastIndexOf('-') + 1);
    this.events = new TckEvents();
    this.capabilities = null;
  }

  @AfterEach
  final void kitTearDown() {
    List<String> overran = new ArrayList<>();
    while (!cleanups.isEmpty()) {
      Cleanup cleanup = cleanups.pop();
      // On a thread of its own, so a close that ignores its timeout cannot hang the whole run.
      CompletableFuture<Void> done = new CompletableFuture<>();
      Thread worker = new Thread(() -> {
        try {
          cleanup.action.run();
          done.complete(null);
        } catch (Throwable t) {
          done.completeExceptionally(t);
        }
      }, "tck-cleanup");
      worker.setDaemon(true);
      worker.start();
      Duration limit = cleanupTimeout().plusSeconds(10);
      try {
        done.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        overran.add(cleanup.what);
        LOG.log(System.Logger.Level.WARNING, "broker kit cleanup '" + cleanup.what + "' did not return within "
            + limit + " in " + namespace + "; abandoned");
      } catch (ExecutionException e) {
        LOG.log(System.Logger.Level.WARNING, "broker kit cleanup '" + cleanup.what + "' failed in " + namespace,
            e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    crashed.clear();
    assertThat(overran).as("cleanups that did not return within %s although close(Duration) was given %s; "
        + "close must honour its timeout", cleanupTimeout().plusSeconds(10), cleanupTimeout()).isEmpty();
  }

  /**
   * The namespace for a test method: {@code tck-<method in kebab case, shortened>-<8 random chars>},
   * lowercase {@code [a-z0-9-]}, at most 40 characters.
   */
  static String namespaceFor(String method) {
    String slug = method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9]+", "-")
        .replaceFirst("^(required|optional)-", "")
        .replaceAll("^-+|-+$", "");
    String random = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36 * 36, Long.MAX_VALUE), 36)
        .substring(0, 8);
    int room = 40 - "tck-".length() - 1 - random.length();
    if (slug.length() > room) {
      slug = slug.substring(0, room).replaceAll("-+$", "");
    }
    return "tck-" + (slug.isEmpty() ? "test" : slug) + "-" + random;
  }

  private record Cleanup(String what, ThrowingRunnable action) {}

  private void onCleanup(String what, ThrowingRunnable action) {
    cleanups.push(new Cleanup(what, action));
  }

  // ---------------------------------------------------------------- the kit's tools

  /** The capabilities the adapter declares, read from a started instance (closed after the test). */
  private BrokerCapabilities capabilities() {
    if (capabilities == null) {
      capabilities = Objects.requireNonNull(startedBroker().capabilities(), "capabilities() returned null");
    }
    return capabilities;
  }

  /** The kit's handler for one group on one instance, watching per-key order when the adapter declares it. */
  private Recorder recorder(String name) {
    return new Recorder(name).ordered(capabilities().keyOrder().isOrdered());
  }

  /** Skips an ordering rule, saying why, when the adapter declares {@code KeyOrder.NONE}. */
  private void assumeOrdered() {
    assumeTrue(capabilities().keyOrder().isOrdered(), "the adapter declares keyOrder NONE: a key's records may "
        + "arrive in any order and reach two instances at once, so no ordering rule applies (the services do not "
        + "depend on order: see the kit's README, 'When a broker declares KeyOrder.NONE')");
  }

  /**
   * Whether instances created with one namespace share a backend, so two of them can share a
   * consumer group: a durable broker, or any broker that does not carry objects in-process.
   */
  private boolean instancesShareABackend() {
    BrokerCapabilities caps = capabilities();
    return caps.durable() || !caps.carriesObjects();
  }

  private void assumeSharedBackend() {
    assumeTrue(instancesShareABackend(), "the adapter is in-process (carriesObjects, not durable): two instances "
        + "never share a backend, so there is no group to share between them");
  }

  /** A new instance in this test's namespace, started like the bus does, closed after the test. */
  private EventBroker startedBroker() {
    return startedBroker(CODEC);
  }

  /** As {@link #startedBroker()}, with {@code codec} (and its size limit) behind the context. */
  private EventBroker startedBroker(EventCodec codec) {
    EventBroker broker = Objects.requireNonNull(createBroker(namespace), "createBroker returned null");
    Executor workers = workers(); // registered first, so stopped only after the broker closed (and drained on them)
    onCleanup("close " + broker.name(), () -> {
      if (!crashed.contains(broker)) {
        broker.close(cleanupTimeout());
      }
    });
    broker.start(BrokerContext.of(codec, workers)); // what a bus with this codec would give it
    return broker;
  }

  /**
   * The worker threads of one instance, as a bus would give them (one per core, at least two, so
   * records of different keys can be handled at the same time on any machine); each instance gets
   * its own, as separate processes would. Shut down after the test.
   */
  private Executor workers() {
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    AtomicInteger ids = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "tck-worker-" + ids.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    onCleanup("stop an instance's workers", pool::shutdownNow);
    return pool;
  }

  /** A bus on a new instance in this test's namespace, closed after the test. */
  private EventBus bus(EventCodec codec) {
    EventBroker broker = Objects.requireNonNull(createBroker(namespace), "createBroker returned null");
    EventBus bus = EventBus.builder().broker(broker).codec(codec).closeTimeout(cleanupTimeout()).build();
    onCleanup("close bus on " + broker.name(), () -> bus.close(cleanupTimeout()));
    return bus;
  }

  /** A consumer group name unique to this test. */
  private String group(String purpose) {
    return purpose + "-" + run;
  }

  private static BrokerSubscription subscribe(EventBroker broker, String group, int concurrency, Recorder recorder,
      EventType<?>... types) {
    Set<String> names = new HashSet<>();
    for (EventType<?> type : types) {
      names.add(type.name());
    }
    BrokerSubscription subscription = broker.subscribe(new SubscriptionRequest(group, names, concurrency), recorder);
    assertThat(subscription).as("subscribe(%s) returned null", group).isNotNull();
    return subscription;
  }

  private static CompletionStage<Void> send(EventBroker broker, OrderEvent event) {
    CompletionStage<Void> stage = broker.send(BrokerRecord.ofEvent(event));
    assertThat(stage).as("send() returned null instead of a stage").isNotNull();
    return stage;
  }

  /** Sends every event without waiting in between, then waits until the broker accepted each. */
  private void sendAll(EventBroker broker, List<? extends OrderEvent> batch) {
    List<CompletionStage<Void>> stages = new ArrayList<>(batch.size());
    for (OrderEvent event : batch) {
      stages.add(send(broker, event));
    }
    for (int i = 0; i < stages.size(); i++) {
      accepted(stages.get(i), batch.get(i));
    }
  }

  /** Waits for a send stage to complete; fails the test if it failed or hung. */
  private void accepted(CompletionStage<?> stage, Object what) {
    String record = what instanceof OrderEvent event ? "the record of " + describe(event) : String.valueOf(what);
    try {
      stage.toCompletableFuture().get(deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("the broker refused " + record + ": the send stage failed with " + e.getCause()
          + " although nothing was wrong with the record", e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("the send stage of " + record + " neither completed nor failed within "
          + deliveryTimeout() + "; send() must never hang", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a send", e);
    }
  }

  /**
   * The OmsException a send was refused with: thrown by the call (tolerated, the bus turns it into a
   * failed stage) or, preferably, as the failure of the returned stage.
   */
  private OmsException refusal(Supplier<CompletionStage<?>> action, String what) {
    CompletionStage<?> stage;
    try {
      stage = action.get();
    } catch (OmsException thrown) {
      return thrown;
    } catch (RuntimeException e) {
      throw new AssertionError(what + " threw " + e + "; a refusal must be an OmsException whose kind says why", e);
    }
    assertThat(stage).as("%s returned null instead of a stage", what).isNotNull();
    try {
      stage.toCompletableFuture().get(deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof OmsException oms) {
        return oms;
      }
      throw new AssertionError(what + " failed with " + e.getCause()
          + "; a refusal must be an OmsException whose kind says why", e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError(what + " neither failed nor completed within " + deliveryTimeout()
          + "; it must be refused with an OmsException, never hang", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    throw new AssertionError(what + " was accepted, but it must be refused with an OmsException");
  }

  /** {@code broker.close(timeout)}, failing the test if close does not return in time (it must honour its timeout). */
  private static boolean close(EventBroker broker, Duration timeout) {
    CompletableFuture<Boolean> closed = CompletableFuture.supplyAsync(() -> broker.close(timeout), runnable -> {
      Thread t = new Thread(runnable, "tck-close");
      t.setDaemon(true);
      t.start();
    });
    Duration limit = timeout.plusSeconds(10);
    try {
      return closed.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("close(" + timeout + ") did not return within " + limit + "; it must honour its timeout");
    } catch (ExecutionException e) {
      throw new AssertionError("close(" + timeout + ") threw " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while closing", e);
    }
  }

  /** Waits for {@code latch} up to the delivery timeout; fails saying {@code what} did not happen. */
  private void awaitLatch(CountDownLatch latch, String what) {
    try {
      assertThat(latch.await(deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS))
          .as("within %s, %s", deliveryTimeout(), what).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting until " + what, e);
    }
  }

  /** Retries {@code assertion} until it passes or the delivery timeout is over. */
  private void eventually(String what, ThrowingRunnable assertion) {
    Awaitility.await(what).atMost(deliveryTimeout()).pollDelay(Duration.ZERO).pollInterval(POLL)
        .untilAsserted(assertion);
  }

  private static void noViolations(Recorder... recorders) {
    for (Recorder recorder : recorders) {
      assertThat(recorder.violations()).as("RecordHandler contract violations seen by %s", recorder.name()).isEmpty();
    }
  }

  /** Fails listing (some of) the sent records that {@code handled} lacks. */
  private static void allHandled(List<? extends OrderEvent> sent, Set<String> handled, String by) {
    List<String> missing = new ArrayList<>();
    for (OrderEvent event : sent) {
      if (!handled.contains(event.eventId())) {
        missing.add(describe(event));
      }
    }
    assertThat(abbreviate(missing)).as("records sent (%s, every send acknowledged) but not handled by %s: %s missing",
        sent.size(), by, missing.size()).isEmpty();
  }

  /** Fails listing the records delivered to {@code recorder} that are not among {@code sent}. */
  private static void neverSent(Recorder recorder, List<? extends OrderEvent> sent) {
    Set<String> strangers = new HashSet<>(recorder.delivered());
    strangers.removeAll(ids(sent));
    assertThat(abbreviate(new ArrayList<>(strangers))).as("event ids delivered to %s that this test never sent",
        recorder.name()).isEmpty();
  }

  private static String describe(OrderEvent event) {
    int seq = TckEvents.seq(event);
    return (seq >= 0 ? "seq " + seq : event.type().name()) + " of " + event.orderId() + " (" + event.eventId() + ")";
  }

  private static List<String> abbreviate(List<String> items) {
    if (items.size() <= 10) {
      return items;
    }
    List<String> first = new ArrayList<>(items.subList(0, 10));
    first.add("... and " + (items.size() - 10) + " more");
    return first;
  }

  private static List<String> ids(List<? extends OrderEvent> events) {
    return events.stream().map(OrderEvent::eventId).collect(Collectors.toList());
  }

  private static List<Integer> oneTo(int n) {
    return IntStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
  }

  /**
   * Runs one publisher thread per list; each sends its events in list order without waiting in
   * between, then waits until all were accepted.
   */
  private void publishConcurrently(List<? extends List<? extends OrderEvent>> perThread,
      Function<OrderEvent, CompletionStage<Void>> sender) throws Exception {
    AtomicInteger ids = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(perThread.size(), r -> {
      Thread t = new Thread(r, "tck-publisher-" + ids.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    onCleanup("stop publishers", pool::shutdownNow);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> publishers = new ArrayList<>();
    for (List<? extends OrderEvent> batch : perThread) {
      publishers.add(pool.submit(() -> {
        start.await();
        List<CompletionStage<Void>> stages = new ArrayList<>(batch.size());
        for (OrderEvent event : batch) {
          CompletionStage<Void> stage = sender.apply(event);
          assertThat(stage).as("send() returned null instead of a stage").isNotNull();
          stages.add(stage);
        }
        for (int i = 0; i < stages.size(); i++) {
          accepted(stages.get(i), batch.get(i));
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> publisher : publishers) {
      try {
        publisher.get(deliveryTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw e;
      }
    }
  }

  /** {@code perThread} lists; thread {@code t} owns the orders whose index is {@code t} modulo the thread count. */
  private <E extends OrderEvent> List<List<E>> splitByOrder(List<E> interleaved, int threads) {
    List<List<E>> perThread = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      perThread.add(new ArrayList<>());
    }
    Map<String, Integer> owner = new LinkedHashMap<>();
    for (E event : interleaved) {
      int thread = owner.computeIfAbsent(event.orderId(), id -> owner.size() % threads);
      perThread.get(thread).add(event);
    }
    return perThread;
  }

  /**
   * Over every delivery the recorders (one per instance of a group) saw: no two instances handled
   * records of one key at overlapping times (a record's handling runs from the start of its
   * handler to the completion of its stage), and each key's records were first settled in send
   * order across the instances (a record settled again later, at-least-once, does not count twice).
   */
  private static void oneInstanceAtATimeInSendOrder(List<? extends OrderEvent> sent, Recorder... recorders) {
    long origin = Long.MAX_VALUE;
    Map<String, List<Recorder.Handling>> byKey = new HashMap<>();
    for (Recorder recorder : recorders) {
      for (Recorder.Handling h : recorder.handlings()) {
        if (h.started() != 0) {
          byKey.computeIfAbsent(h.key(), k -> new ArrayList<>()).add(h);
          origin = Math.min(origin, h.started());
        }
      }
    }
    long now = System.nanoTime();
    List<String> overlaps = new ArrayList<>();
    for (Map.Entry<String, List<Recorder.Handling>> key : byKey.entrySet()) {
      List<Recorder.Handling> handlings = key.getValue();
      handlings.sort(Comparator.comparingLong(Recorder.Handling::started));
      Recorder.Handling latest = null;
      long until = 0;
      for (Recorder.Handling h : handlings) {
        if (latest != null && h.started() - until < 0 && !h.instance().equals(latest.instance())) {
          overlaps.add("key " + key.getKey() + ": " + h.instance() + " started seq " + h.seq() + " at +"
              + millis(h.started() - origin) + " ms while " + latest.instance() + " was still handling seq "
              + latest.seq() + " (from +" + millis(latest.started() - origin) + " ms to "
              + (latest.ended() == 0 ? "still running" : "+" + millis(latest.ended() - origin) + " ms") + ")");
        }
        long end = h.ended() == 0 ? now : h.ended();
        if (latest == null || end - until > 0) {
          latest = h;
          until = end;
        }
      }
    }
    assertThat(abbreviate(overlaps)).as("records of one key handled by two instances at overlapping times (an "
        + "instance must not start a key's record while another still handles one of that key)").isEmpty();
    Map<String, List<Integer>> expected = new LinkedHashMap<>();
    for (OrderEvent event : sent) {
      expected.computeIfAbsent(event.orderId(), k -> new ArrayList<>()).add(TckEvents.seq(event));
    }
    for (Map.Entry<String, List<Integer>> key : expected.entrySet()) {
      List<Integer> firstSettled = byKey.getOrDefault(key.getKey(), List.of()).stream()
          .filter(Recorder.Handling::settled).map(Recorder.Handling::seq).distinct().collect(Collectors.toList());
      List<String> by = byKey.getOrDefault(key.getKey(), List.of()).stream().filter(Recorder.Handling::settled)
          .map(h -> h.seq() + "@" + h.instance()).collect(Collectors.toList());
      assertThat(firstSettled).as("sequence numbers of key %s in the order they were first handled across the "
          + "instances (sent in this order from one thread; handled: %s)", key.getKey(), by)
          .containsExactlyElementsOf(key.getValue());
    }
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private void restartBackendOrFail() {
    try {
      restartBackend();
    } catch (BackendNotRestartable e) {
      assumeTrue(false, "the backend cannot be restarted from this test: " + e.getMessage());
    } catch (UnsupportedOperationException e) {
      throw new AssertionError("the adapter declares capabilities().durable() but its kit subclass does not "
          + "override restartBackend(); override it to stop and restart the broker server", e);
    }
  }

  private void crashOrFail(EventBroker broker) {
    crashed.add(broker);
    try {
      crash(broker);
    } catch (UnsupportedOperationException e) {
      crashed.remove(broker);
      throw new AssertionError("the adapter declares capabilities().durable() but its kit subclass does not "
          + "override crash(EventBroker); override it to stop the instance without committing anything", e);
    }
  }

  private static final CompletionStage<Outcome> SETTLED = CompletableFuture.completedFuture(Outcome.HANDLED);

  /** What a kit handler throws to reject a record on purpose. */
  static final class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(message, null, false, false);
    }
  }

  // ================================================================ required tier

  /** Rules every adapter passes, whatever its capabilities. */
  @Nested
  @Order(1)
  @DisplayName("required tier")
  public class RequiredTier {

    @Test
    void required_publishSubscribe_aGroupReceivesEveryRecordOfItsTypesIntactAndNoOther() {
      EventBroker broker = startedBroker();
      Recorder stock = recorder("group 'stock' (subscribed to " + OutOfStock.TYPE.name() + ")");
      Recorder releases = recorder("group 'releases' (subscribed to " + StockReleased.TYPE.name() + ")");
      subscribe(broker, group("stock"), 1, stock, OutOfStock.TYPE);
      subscribe(broker, group("releases"), 1, releases, StockReleased.TYPE);

      List<OutOfStock> outOfStock = events.interleaved(5, 4);
      List<StockReleased> released = events.orderIds(5).stream().map(events::otherType).collect(Collectors.toList());
      List<OrderEvent> all = new ArrayList<>(outOfStock);
      for (int i = 0; i < released.size(); i++) {
        all.add(i * 4, released.get(i)); // the two types interleaved on the same keys
      }
      sendAll(broker, all);

      eventually("every record reaches the group subscribed to its type", () -> {
        allHandled(outOfStock, stock.acknowledged(), stock.name());
        allHandled(released, releases.acknowledged(), releases.name());
      });
      assertThat(stock.types()).as("event types delivered to %s", stock.name()).containsOnly(OutOfStock.TYPE.name());
      assertThat(releases.types()).as("event types delivered to %s", releases.name())
          .containsOnly(StockReleased.TYPE.name());
      for (OrderEvent sent : all) {
        Recorder recorder = sent instanceof OutOfStock ? stock : releases;
        assertThat(recorder.event(sent.eventId())).as("the delivered copy of %s (every field must survive the trip)",
            sent.eventId()).isEqualTo(sent);
      }
      noViolations(stock, releases);
    }

    @Test
    void required_publishSubscribe_sendDoesNotWaitForConsumers() {
      EventBroker broker = startedBroker();
      CountDownLatch release = new CountDownLatch(1);
      onCleanup("release the blocked handler", release::countDown);
      Recorder blocked = recorder("group 'blocked'").behaviour((event, delivery) ->
          release.await(deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS));
      subscribe(broker, group("blocked"), 1, blocked, OutOfStock.TYPE);

      List<OutOfStock> batch = events.interleaved(4, 5);
      sendAll(broker, batch); // fails here if a send waits for the (blocked) handler

      assertThat(blocked.acknowledgedCount()).as("records handled while the handler was blocked").isZero();
      release.countDown();
      eventually("every record is handled once the handler is unblocked",
          () -> allHandled(batch, blocked.acknowledged(), blocked.name()));
      noViolations(blocked);
    }

    @Test
    void required_atLeastOnce_everyRecordWhoseSendCompletedIsHandled() throws Exception {
      EventBroker broker = startedBroker();
      List<OutOfStock> batch = events.interleaved(40, 10);
      Set<String> rejectOnce = new HashSet<>();
      for (int i = 7; i < batch.size(); i += 40) {
        rejectOnce.add(batch.get(i).eventId());
      }
      Recorder recorder = recorder("group 'alo'").behaviour((event, delivery) -> {
        if (delivery == 1 && rejectOnce.contains(event.eventId())) {
          throw new Rejected("kit rejects the first delivery of " + event.eventId());
        }
      });
      subscribe(broker, group("alo"), 2, recorder, OutOfStock.TYPE);

      publishConcurrently(splitByOrder(batch, 2), event -> send(broker, event));

      eventually("every acknowledged send is handled (at-least-once)", () ->
          allHandled(batch, recorder.acknowledged(), recorder.name()));
      neverSent(recorder, batch);
      for (String id : rejectOnce) {
        assertThat(recorder.deliveries(id)).as("deliveries of rejected record %s", id).isGreaterThanOrEqualTo(2);
      }
      noViolations(recorder);
    }

    @Test
    void required_competingConsumers_concurrencySpreadsKeysOverThreadsAndHandlesEachRecordOnce()
        throws InterruptedException {
      EventBroker broker = startedBroker();
      CountDownLatch overlap = new CountDownLatch(1);
      AtomicInteger inside = new AtomicInteger();
      AtomicBoolean firstWaits = new AtomicBoolean();
      onCleanup("release the first record", overlap::countDown);
      Recorder recorder = recorder("group 'workers' (concurrency 4)").behaviour((event, delivery) -> {
        try {
          if (inside.incrementAndGet() >= 2) {
            overlap.countDown();
          } else if (firstWaits.compareAndSet(false, true)) {
            // hold the first record until another thread handles a record of another key
            overlap.await(deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
          }
        } finally {
          inside.decrementAndGet();
        }
      });
      subscribe(broker, group("workers"), 4, recorder, OutOfStock.TYPE);

      List<OutOfStock> batch = events.interleaved(40, 10);
      sendAll(broker, batch);

      assertThat(overlap.await(deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS)).as("with concurrency 4, records "
          + "of different keys must be handled at the same time; the first record waited %s for a second one and "
          + "none came", deliveryTimeout()).isTrue();
      eventually("every record is handled", () -> allHandled(batch, recorder.acknowledged(), recorder.name()));
      assertThat(recorder.threads()).as("threads that handled records with concurrency 4").hasSizeGreaterThan(1);
      assertThat(recorder.duplicates()).as("records delivered more than once although no handler failed").isEmpty();
      assertThat(recorder.acknowledgements()).as("handler runs").isEqualTo(batch.size());
      noViolations(recorder);
    }

    @Test
    void required_competingConsumers_twoInstancesSharingAGroupSplitTheRecordsAndLoseNone() {
      assumeSharedBackend();
      EventBroker first = startedBroker();
      EventBroker second = startedBroker();
      Recorder one = recorder("instance 1 of group 'shared'");
      Recorder two = recorder("instance 2 of group 'shared'");
      subscribe(first, group("shared"), 2, one, OutOfStock.TYPE);
      subscribe(second, group("shared"), 2, two, OutOfStock.TYPE);

      // Batches of new keys until both instances took part (a remote group may need a while to
      // rebalance onto the second instance); every batch must be handled completely before the next.
      List<OutOfStock> sent = new ArrayList<>();
      long deadline = System.nanoTime() + deliveryTimeout().toNanos();
      for (int batchNo = 0; batchNo < 50; batchNo++) {
        List<OutOfStock> batch = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
          String orderId = events.orderId(batchNo * 20 + k);
          batch.add(events.next(orderId, 1));
          batch.add(events.next(orderId, 2));
        }
        sendAll(batchNo % 2 == 0 ? first : second, batch);
        sent.addAll(batch);
        eventually("every record sent so far is handled by one of the two instances", () -> {
          Set<String> handled = new HashSet<>(one.acknowledged());
          handled.addAll(two.acknowledged());
          allHandled(sent, handled, "either instance");
        });
        if ((one.acknowledgedCount() > 0 && two.acknowledgedCount() > 0) || System.nanoTime() - deadline > 0) {
          break;
        }
      }
      assertThat(one.acknowledgedCount()).as("records handled by instance 1 (of %s sent)", sent.size()).isPositive();
      assertThat(two.acknowledgedCount()).as("records handled by instance 2 (of %s sent): two instances in one "
          + "group must split the records", sent.size()).isPositive();
      noViolations(one, two);
    }

    @Test
    void required_fanOut_everyGroupGetsEveryRecord() {
      EventBroker broker = startedBroker();
      List<Recorder> groups = new ArrayList<>();
      for (int concurrency = 1; concurrency <= 3; concurrency++) {
        Recorder recorder = recorder("group 'fan" + concurrency + "' (concurrency " + concurrency + ")");
        subscribe(broker, group("fan" + concurrency), concurrency, recorder, OutOfStock.TYPE);
        groups.add(recorder);
      }

      List<OutOfStock> batch = events.interleaved(20, 10);
      sendAll(broker, batch);

      eventually("every group gets every record", () -> {
        for (Recorder recorder : groups) {
          allHandled(batch, recorder.acknowledged(), recorder.name());
        }
      });
      noViolations(groups.toArray(new Recorder[0]));
    }

    @Test
    void required_perKeyOrder_eachKeysRecordsArriveInSendOrderUnderConcurrency() throws Exception {
      assumeOrdered();
      EventBroker broker = startedBroker();
      Recorder recorder = recorder("group 'ordered' (concurrency 4)");
      subscribe(broker, group("ordered"), 4, recorder, OutOfStock.TYPE);
      int orders = 60;
      int perOrder = 15;
      List<OutOfStock> batch = events.interleaved(orders, perOrder);

      publishConcurrently(splitByOrder(batch, 4), event -> send(broker, event));

      eventually("every record is handled", () -> allHandled(batch, recorder.acknowledged(), recorder.name()));
      Map<String, List<Integer>> sequences = recorder.firstAcknowledgedSeqByKey();
      assertThat(sequences.keySet()).as("keys handled").containsExactlyInAnyOrderElementsOf(events.orderIds(orders));
      sequences.forEach((key, seqs) -> assertThat(seqs)
          .as("sequence numbers of key %s in the order they were handled (sent as 1..%s from one thread)", key, perOrder)
          .containsExactlyElementsOf(oneTo(perOrder)));
      noViolations(recorder);
    }

    @Test
    void required_redelivery_aRejectedRecordIsDeliveredAgainBeforeLaterRecordsOfItsKey() {
      EventBroker broker = startedBroker();
      int orders = 6;
      int perOrder = 5;
      String twiceRejectedOrder = events.orderId(0);
      Recorder recorder = recorder("group 'redelivery'").behaviour((event, delivery) -> {
        int seq = TckEvents.seq(event);
        if ((seq == 2 && delivery == 1) || (seq == 4 && delivery <= 2 && event.orderId().equals(twiceRejectedOrder))) {
          throw new Rejected("kit rejects delivery " + delivery + " of seq " + seq + " of " + event.orderId());
        }
      });
      subscribe(broker, group("redelivery"), 2, recorder, OutOfStock.TYPE);

      List<OutOfStock> batch = events.interleaved(orders, perOrder);
      sendAll(broker, batch);

      eventually("every record is handled, the rejected ones after being delivered again",
          () -> allHandled(batch, recorder.acknowledged(), recorder.name()));
      for (OutOfStock event : batch) {
        int expected = event.requested() == 2 ? 2 : event.requested() == 4 && event.orderId().equals(twiceRejectedOrder) ? 3 : 1;
        assertThat(recorder.deliveries(event.eventId()))
            .as("deliveries of seq %s of %s (rejected %s time(s))", event.requested(), event.orderId(), expected - 1)
            .isGreaterThanOrEqualTo(expected);
      }
      if (capabilities().keyOrder().isOrdered()) {
        recorder.firstAcknowledgedSeqByKey().forEach((key, seqs) -> assertThat(seqs)
            .as("order in which key %s's records were handled: a rejected record must be delivered again before "
                + "the records sent after it with the same key", key)
            .containsExactlyElementsOf(oneTo(perOrder)));
      }
      noViolations(recorder);
    }

    @Test
    void required_pipelining_aRecordWaitingForItsOutcomeDoesNotHoldUpRecordsOfOtherKeys() {
      EventBroker broker = startedBroker();
      String slow = events.orderId(0);
      CompletableFuture<Outcome> outcome = new CompletableFuture<>();
      onCleanup("settle the held record", () -> outcome.complete(Outcome.HANDLED));
      // Concurrency 1: an adapter that waits for a record's outcome before delivering the next has
      // nothing else to deliver with; one that pipelines goes on with the other keys.
      Recorder recorder = recorder("group 'pipelined' (concurrency 1)").staged((event, delivery) ->
          event.orderId().equals(slow) && TckEvents.seq(event) == 1 ? outcome : SETTLED);
      subscribe(broker, group("pipelined"), 1, recorder, OutOfStock.TYPE);
      OutOfStock first = events.next(slow, 1);
      OutOfStock second = events.next(slow, 2);
      List<OutOfStock> others = new ArrayList<>();
      for (int seq = 1; seq <= 3; seq++) {
        for (String key : events.orderIds(21).subList(1, 21)) {
          others.add(events.next(key, seq));
        }
      }
      List<OutOfStock> batch = new ArrayList<>();
      batch.add(first);
      batch.addAll(others.subList(0, 30));
      batch.add(second);
      batch.addAll(others.subList(30, others.size()));

      sendAll(broker, batch);

      eventually("records of other keys are delivered and settle while " + describe(first) + " waits for its "
          + "outcome (deliver must not wait for a record's stage before delivering the next record)",
          () -> allHandled(others, recorder.acknowledged(), recorder.name()));
      assertThat(recorder.deliveries(first.eventId())).as("deliveries of the held record").isEqualTo(1);
      assertThat(recorder.acknowledged()).as("records of the held record's key settled before it")
          .doesNotContain(first.eventId(), second.eventId());
      outcome.complete(Outcome.HANDLED);
      eventually("the held record's key goes on once its outcome completed", () ->
          assertThat(recorder.acknowledged()).contains(first.eventId(), second.eventId()));
      noViolations(recorder);
    }

    @Test
    void required_retryLater_aRecordAnsweredRetryLaterComesAgainAndASettledOneDoesNot() {
      EventBroker broker = startedBroker();
      List<OutOfStock> batch = events.interleaved(20, 5);
      Set<String> retry = new HashSet<>();
      for (int i = 3; i < batch.size(); i += 7) {
        retry.add(batch.get(i).eventId());
      }
      Recorder recorder = recorder("group 'retry'").staged((event, delivery) ->
          delivery == 1 && retry.contains(event.eventId())
              ? CompletableFuture.completedFuture(Outcome.retryLater(Duration.ofMillis(20), null)) : SETTLED);
      subscribe(broker, group("retry"), 2, recorder, OutOfStock.TYPE);

      sendAll(broker, batch);

      eventually("every record settles, those answered RETRY_LATER after coming again", () ->
          allHandled(batch, recorder.acknowledged(), recorder.name()));
      List<Recorder.Handling> handlings = recorder.handlings();
      for (String id : retry) {
        List<Recorder.Handling> of = handlings.stream().filter(h -> h.eventId().equals(id)).collect(Collectors.toList());
        assertThat(of).as("deliveries of %s, answered RETRY_LATER the first time (an outcome that is not settled "
            + "must not be acknowledged: the broker delivers the record again)", id).hasSizeGreaterThanOrEqualTo(2);
        assertThat(of.get(1).info().deliveryCount()).as("deliveryCount of the second delivery of %s (2, or 0 when "
            + "the broker cannot count)", id).isIn(0, 2);
      }
      Map<String, List<Recorder.Handling>> byEvent = handlings.stream()
          .collect(Collectors.groupingBy(Recorder.Handling::eventId));
      List<String> again = byEvent.entrySet().stream()
          .filter(e -> e.getValue().get(0).settled() && e.getValue().size() > 1)
          .map(e -> e.getKey() + " x" + e.getValue().size()).collect(Collectors.toList());
      assertThat(abbreviate(again)).as("records delivered again although their first delivery settled (nothing "
          + "crashed or rebalanced: a settled record is acknowledged and must not come back)").isEmpty();
      noViolations(recorder);
    }

    @Test
    void required_deadLetters_afterTheRetryLimitWithReasonAndAttemptsAndLaterRecordsParked() {
      EventBus bus = bus(CODEC);
      String poisoned = events.orderId(0);
      int orders = 4;
      int perOrder = 5;
      AtomicBoolean failing = new AtomicBoolean(true);
      Map<String, List<Integer>> handled = new ConcurrentHashMap<>();
      String group = group("dlq");
      DeliveryPolicy policy = DeliveryPolicy.builder().maxAttempts(3)
          .backoff(Duration.ofMillis(1), Duration.ofMillis(5), 2.0).jitter(0).build();
      bus.subscribe(ConsumerGroup.builder(group).concurrency(2).policy(policy).build(),
          EventHandlers.builder().on(OutOfStock.TYPE, (event, ctx) -> {
            if (failing.get() && event.orderId().equals(poisoned) && event.requested() == 2) {
              throw new IllegalStateException("kit poison: seq 2 of " + poisoned);
            }
            handled.computeIfAbsent(event.orderId(), k -> Collections.synchronizedList(new ArrayList<>()))
                .add(event.requested());
          }).build());

      List<OutOfStock> batch = events.interleaved(orders, perOrder);
      boolean ordered = capabilities().keyOrder().isOrdered();
      for (OutOfStock event : batch) {
        accepted(bus.publish(event), event);
        if (!ordered && event.orderId().equals(poisoned)) { // unordered: the order's records one at a time
          eventually("record " + describe(event) + " handled or stored", () -> assertThat(
              handled.getOrDefault(poisoned, List.of()).size() + bus.deadLetters().list(group).size())
              .isEqualTo(event.requested()));
        }
      }
      OutOfStock poison = batch.stream().filter(e -> e.orderId().equals(poisoned) && e.requested() == 2)
          .findFirst().orElseThrow();

      eventually("the poisoned record is dead-lettered, the 3 after it parked, the other orders handled", () -> {
        assertThat(bus.deadLetters().list(group)).as("dead letters and parked records of group %s", group).hasSize(4);
        for (String orderId : events.orderIds(orders).subList(1, orders)) {
          assertThat(handled.get(orderId)).as("records handled of %s", orderId).containsExactlyElementsOf(oneTo(perOrder));
        }
      });
      assertThat(handled.get(poisoned)).as("records handled of the poisoned order").containsExactly(1);
      List<DeadLetter> failures = bus.deadLetters().failures(group);
      assertThat(failures).as("failed (not parked) dead letters of group %s", group).hasSize(1);
      DeadLetter dead = failures.get(0);
      assertThat(dead.eventId()).as("event id of the dead letter").isEqualTo(poison.eventId());
      assertThat(dead.key()).as("key of the dead letter").isEqualTo(poisoned);
      assertThat(dead.type()).as("type of the dead letter").isEqualTo(OutOfStock.TYPE.name());
      assertThat(dead.attempts()).as("attempts recorded on the dead letter (policy maxAttempts 3)").isEqualTo(3);
      assertThat(dead.reason()).as("reason of the dead letter")
          .contains(IllegalStateException.class.getName()).contains("kit poison");
      assertThat(bus.deadLetters().event(dead)).as("the event inside the dead letter").isEqualTo(poison);
      List<DeadLetter> parked = bus.deadLetters().list(group).stream().filter(d -> !d.isFailure())
          .collect(Collectors.toList());
      assertThat(parked).as("records of the poisoned order parked behind its dead letter")
          .allSatisfy(p -> assertThat(p.parkedBehind()).isEqualTo(dead.id()))
          .extracting(DeadLetter::eventId)
          .containsExactlyElementsOf(batch.stream().filter(e -> e.orderId().equals(poisoned) && e.requested() > 2)
              .map(OrderEvent::eventId).collect(Collectors.toList()));

      failing.set(false);
      RedriveResult redriven = bus.deadLetters().redrive(dead.id());
      assertThat(redriven.handled()).as("redrive of the fixed dead letter handled it").isTrue();
      assertThat(redriven.released()).as("parked records released by the redrive").isEqualTo(3);
      assertThat(handled.get(poisoned)).as("records handled of the poisoned order after the redrive")
          .containsExactlyElementsOf(oneTo(perOrder));
      assertThat(bus.deadLetters().list(group)).as("dead letters left after the redrive").isEmpty();
      OutOfStock later = events.next(poisoned, perOrder + 1);
      accepted(bus.publish(later), later);
      eventually("the order flows normally again", () ->
          assertThat(handled.get(poisoned)).containsExactlyElementsOf(oneTo(perOrder + 1)));
    }

    @Test
    void required_gracefulClose_everyRecordAcceptedBeforeCloseIsHandledWhenItReturnsTrue() {
      BrokerCapabilities caps = capabilities();
      EventBroker broker = startedBroker();
      Recorder recorder = recorder("group 'closing'").behaviour((event, delivery) ->
          LockSupport.parkNanos(Duration.ofMillis(1).toNanos())); // a little work, so records are still queued at close
      subscribe(broker, group("closing"), 2, recorder, OutOfStock.TYPE);
      List<OutOfStock> batch = events.interleaved(30, 10);
      sendAll(broker, batch);

      int handledBeforeClose = recorder.acknowledgedCount();
      boolean drained = close(broker, deliveryTimeout());
      Set<String> handledAtReturn = recorder.acknowledged();

      assertThat(drained).as("close(%s) returned false: it did not drain %s records (%s handled before close)",
          deliveryTimeout(), batch.size(), handledBeforeClose).isTrue();
      if (!caps.durable()) {
        allHandled(batch, handledAtReturn, recorder.name() + " when close returned true (a non-durable broker "
            + "loses whatever it did not deliver before close returns)");
      } else {
        List<OutOfStock> missing = batch.stream().filter(e -> !handledAtReturn.contains(e.eventId()))
            .collect(Collectors.toList());
        if (!missing.isEmpty()) { // durable: what was not handled must still be there for the next instance
          EventBroker next = startedBroker();
          Recorder after = recorder("group 'closing' on the next instance");
          subscribe(next, group("closing"), 2, after, OutOfStock.TYPE);
          eventually("records not handled before close reach the next instance", () ->
              allHandled(missing, after.acknowledged(), after.name()));
          noViolations(after);
        }
      }
      noViolations(recorder);
    }

    @Test
    void required_gracefulClose_aClosedBrokerRefusesSendsWithClosed() {
      EventBroker broker = startedBroker();
      assertThat(close(broker, deliveryTimeout())).as("close of an idle broker returned false").isTrue();
      OutOfStock late = events.next(events.orderId(0), 1);

      OmsException refused = refusal(() -> broker.send(BrokerRecord.ofEvent(late)), "send() after close");

      assertThat(refused.kind()).as("kind of the refusal of a send after close (%s)", refused.getMessage())
          .isEqualTo(OmsException.Kind.CLOSED);
      close(broker, Duration.ofSeconds(1)); // closing again is harmless
    }

    @Test
    void required_pauseResume_recordsSentWhilePausedWaitAndArriveAfterResume() {
      EventBroker broker = startedBroker();
      Recorder recorder = recorder("group 'paused'");
      BrokerSubscription subscription = subscribe(broker, group("paused"), 2, recorder, OutOfStock.TYPE);
      subscription.pause();
      assertThat(subscription.isPaused()).as("isPaused() after pause()").isTrue();

      List<OutOfStock> batch = events.interleaved(10, 5);
      sendAll(broker, batch);
      eventually("a paused group's backlog counts what waits (or is -1 when the broker cannot tell)", () ->
          assertThat(subscription.backlog()).isIn(-1L, (long) batch.size()));
      assertThat(recorder.delivered()).as("records delivered to a paused group").isEmpty();

      subscription.resume();
      assertThat(subscription.isPaused()).as("isPaused() after resume()").isFalse();
      eventually("every record that waited is handled after resume()", () ->
          allHandled(batch, recorder.acknowledged(), recorder.name()));
      if (capabilities().keyOrder().isOrdered()) {
        recorder.firstAcknowledgedSeqByKey().forEach((key, seqs) ->
            assertThat(seqs).as("order of key %s after resume", key).containsExactlyElementsOf(oneTo(5)));
      }
      eventually("backlog() drops to 0 once everything is handled (or is -1)", () ->
          assertThat(subscription.backlog()).isIn(-1L, 0L));
      noViolations(recorder);
    }

    @Test
    void required_concurrentPublishers_everyEventIsDeliveredExactlyOnceWhenNothingFails() throws Exception {
      EventBus bus = bus(CODEC);
      Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
      String group = group("publishers");
      DeliveryPolicy noDedup = DeliveryPolicy.builder().deduplicate(false).build(); // duplicates must show
      bus.subscribe(ConsumerGroup.builder(group).concurrency(2).policy(noDedup).build(),
          EventHandlers.builder().on(OutOfStock.TYPE, (event, ctx) ->
              handled.computeIfAbsent(event.eventId(), k -> new AtomicInteger()).incrementAndGet()).build());
      int threads = 4;
      List<OutOfStock> batch = events.interleaved(40, 25); // 4 threads x 250 events

      publishConcurrently(splitByOrder(batch, threads), bus::publish);

      eventually("every published event is handled", () ->
          allHandled(batch, handled.keySet(), "group " + group));
      assertThat(handled.keySet()).as("events handled that were never published").hasSize(batch.size());
      assertThat(handled.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey)
          .collect(Collectors.toList())).as("events handled more than once although nothing failed").isEmpty();
      eventually("group metrics count every event", () ->
          assertThat(bus.metrics(group).handled()).isEqualTo(batch.size()));
    }

    @Test
    void required_sizeLimit_anEventOverTheCodecLimitIsRefusedAsOversized() {
      int limit = 4096;
      EventBus bus = bus(EventCodec.builder().maxEventBytes(limit).build());
      List<OrderEvent> handled = Collections.synchronizedList(new ArrayList<>());
      bus.subscribe(ConsumerGroup.builder(group("orders")).concurrency(1).build(),
          EventHandlers.builder().on(OrderCreated.TYPE, (event, ctx) -> handled.add(event)).build());
      OrderCreated big = events.orderLargerThan(events.orderId(0), limit);

      OmsException atIngress = refusal(() -> bus.publishEncoded(TckEvents.encode(big)), "publishEncoded(oversized)");
      assertThat(atIngress.kind()).as("kind of the refusal (%s)", atIngress.getMessage())
          .isEqualTo(OmsException.Kind.OVERSIZED_EVENT);
      assertThat(atIngress.getMessage()).as("the refusal names the limit").contains(String.valueOf(limit));
      if (!bus.capabilities().carriesObjects()) { // objects travel by reference in-process: no encoding, no limit
        OmsException published = refusal(() -> bus.publish(big), "publish(an event encoding over the limit)");
        assertThat(published.kind()).as("kind of the refusal of publish (%s)", published.getMessage())
            .isEqualTo(OmsException.Kind.OVERSIZED_EVENT);
        assertThat(published.getMessage()).as("the refusal of publish names the limit").contains(String.valueOf(limit));
      }

      OrderCreated small = events.order(events.orderId(1));
      accepted(bus.publish(small), small);
      eventually("the bus keeps working after the refusal", () -> assertThat(handled).contains(small));
      assertThat(handled).extracting(OrderEvent::eventId).as("events handled").doesNotContain(big.eventId());
    }

    @Test
    void required_sizeLimit_aRecordOverMaxRecordBytesIsRefusedWithOversizedEvent() {
      int max = capabilities().maxRecordBytes();
      assumeTrue(max < MAX_TESTED_RECORD_BYTES, "the adapter declares maxRecordBytes " + max
          + "; the kit does not build records over " + MAX_TESTED_RECORD_BYTES + " bytes to test it");
      // The context enforces no limit here: the adapter itself must refuse what it cannot carry.
      EventBroker broker = startedBroker(EventCodec.builder().maxEventBytes(Integer.MAX_VALUE).build());
      Recorder recorder = recorder("group 'limit'");
      subscribe(broker, group("limit"), 1, recorder, OutOfStock.TYPE);
      OutOfStock huge = events.eventLargerThan(events.orderId(0), max);
      byte[] body = TckEvents.encode(huge); // a well-formed structured-mode record, just too large
      BrokerRecord tooLarge = BrokerRecord.ofBytes(OutOfStock.TYPE.name(), huge.orderId(), Map.of(), body);

      OmsException refused = refusal(() -> broker.send(tooLarge),
          "send() of a record of " + body.length + " bytes (maxRecordBytes " + max + ")");

      assertThat(refused.kind()).as("kind of the refusal (%s)", refused.getMessage())
          .isEqualTo(OmsException.Kind.OVERSIZED_EVENT);
      OutOfStock after = events.next(events.orderId(1), 1);
      sendAll(broker, List.of(after));
      eventually("the broker keeps working after the refusal",
          () -> assertThat(recorder.acknowledged()).contains(after.eventId()));
      assertThat(recorder.delivered()).as("records delivered").doesNotContain(huge.eventId());
      noViolations(recorder);
    }
  }

  // ================================================================ optional tier

  /** Rules for what an adapter's capabilities declare; skipped (with the reason) otherwise. */
  @Nested
  @Order(2)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  @DisplayName("optional tier")
  public class OptionalTier {

    @Test
    @Order(3)
    void optional_durability_recordsAcceptedBeforeABrokerRestartAreDeliveredAfterIt() {
      assumeTrue(capabilities().durable(),
          "the adapter does not declare capabilities().durable(): surviving a broker restart is not promised");
      Optional<String> cannot = Objects.requireNonNull(backendCannotBeRestarted(), "backendCannotBeRestarted() returned null");
      assumeTrue(cannot.isEmpty(), () -> "the backend cannot be restarted from this test: " + cannot.orElse(""));
      EventBroker before = startedBroker();
      Recorder early = recorder("group 'durable' before the restart");
      subscribe(before, group("durable"), 2, early, OutOfStock.TYPE).pause();
      List<OutOfStock> batch = events.interleaved(20, 5);
      sendAll(before, batch);
      close(before, Duration.ofSeconds(1)); // what it did not deliver stays in the broker

      restartBackendOrFail();

      EventBroker after = startedBroker();
      Recorder late = recorder("group 'durable' after the restart");
      subscribe(after, group("durable"), 2, late, OutOfStock.TYPE);
      eventually("every record accepted before the restart is handled", () -> {
        Set<String> handled = new HashSet<>(early.acknowledged());
        handled.addAll(late.acknowledged());
        allHandled(batch, handled, "either instance (before or after the restart)");
      });
      noViolations(early, late);
    }

    @Test
    @Order(1)
    void optional_replay_aGroupCreatedLaterReadsRecordsSentBeforeItExisted() {
      assumeTrue(capabilities().replay(),
          "the adapter does not declare capabilities().replay(): a new group is not promised earlier records");
      EventBroker broker = startedBroker();
      List<OutOfStock> batch = events.interleaved(10, 5);
      sendAll(broker, batch); // no group exists yet

      Recorder recorder = recorder("group 'late' (created after the sends)");
      subscribe(broker, group("late"), 2, recorder, OutOfStock.TYPE);

      eventually("a new group replays the records sent before it existed",
          () -> allHandled(batch, recorder.acknowledged(), recorder.name()));
      neverSent(recorder, batch); // namespaces must be isolated
      if (capabilities().keyOrder().isOrdered()) {
        recorder.firstAcknowledgedSeqByKey().forEach((key, seqs) ->
            assertThat(seqs).as("replay order of key %s", key).containsExactlyElementsOf(oneTo(5)));
      }
      noViolations(recorder);
    }


    @Test
    @Order(0)
    void optional_orderAcrossTypes_aGroupOfTwoTypesSeesAKeysRecordsOfBothInSendOrder() throws Exception {
      assumeOrdered();
      assumeTrue(capabilities().orderAcrossTypes(), "the adapter does not declare orderAcrossTypes: a key's "
          + "records are ordered within one event type only (a log or queue per type)");
      EventBroker broker = startedBroker();
      Recorder recorder = recorder("group 'types' (two types, concurrency 4)");
      subscribe(broker, group("types"), 4, recorder, OutOfStock.TYPE, StockReleased.TYPE);
      int perOrder = 10;
      List<OrderEvent> batch = new ArrayList<>();
      for (int seq = 1; seq <= perOrder; seq++) {
        for (String orderId : events.orderIds(30)) {
          batch.add(seq % 2 == 1 ? events.next(orderId, seq) : events.releasedSeq(orderId, seq));
        }
      }

      publishConcurrently(splitByOrder(batch, 3), event -> send(broker, event));

      eventually("every record of both types is handled", () -> allHandled(batch, recorder.acknowledged(),
          recorder.name()));
      assertThat(recorder.types()).as("types delivered").containsExactlyInAnyOrder(OutOfStock.TYPE.name(),
          StockReleased.TYPE.name());
      recorder.firstAcknowledgedSeqByKey().forEach((key, seqs) -> assertThat(seqs)
          .as("sequence numbers of key %s in the order they were handled (odd ones %s, even ones %s, sent "
              + "alternately from one thread)", key, OutOfStock.TYPE.name(), StockReleased.TYPE.name())
          .containsExactlyElementsOf(oneTo(perOrder)));
      noViolations(recorder);
    }

    @Test
    @Order(0)
    void optional_sharedGroupOrder_twoInstancesNeverHandleOneKeyAtOnceAndKeepItsSendOrder() {
      assumeSharedBackend();
      assumeOrdered();
      EventBroker first = startedBroker();
      EventBroker second = startedBroker();
      List<String> keys = events.orderIds(16);
      Set<String> startedByOne = ConcurrentHashMap.newKeySet();
      CountDownLatch busy = new CountDownLatch(keys.size());
      Map<String, CountDownLatch> nextStartByOne = new ConcurrentHashMap<>();
      Set<String> heldByTwo = ConcurrentHashMap.newKeySet();
      AtomicInteger holds = new AtomicInteger(HAND_OVER_HOLDS);
      Recorder one = recorder("instance 1 of group 'handover'").behaviour((event, delivery) -> {
        if (startedByOne.add(event.orderId())) {
          busy.countDown();
        }
        CountDownLatch waiting = nextStartByOne.remove(event.orderId());
        if (waiting != null) {
          waiting.countDown();
        }
        LockSupport.parkNanos(1_000_000); // a little work per record
      });
      Recorder two = recorder("instance 2 of group 'handover'").behaviour((event, delivery) -> {
        // The first record of each key the joining instance gets is held until instance 1 starts
        // that key again, or briefly: after a proper hand-over instance 1 never does, while a
        // broker that hands a key over without stopping instance 1 gets caught overlapping here,
        // where pacing alone could let the two instances take turns on the key unseen.
        if (heldByTwo.add(event.orderId()) && holds.get() > 0) {
          CountDownLatch oneStarts = new CountDownLatch(1);
          nextStartByOne.put(event.orderId(), oneStarts);
          if (!oneStarts.await(HAND_OVER_HOLD.toMillis(), TimeUnit.MILLISECONDS)) {
            holds.decrementAndGet();
          }
          nextStartByOne.remove(event.orderId(), oneStarts);
        }
        LockSupport.parkNanos(1_000_000);
      });
      String group = group("handover");
      subscribe(first, group, 2, one, OutOfStock.TYPE);

      // The same keys round after round; the second instance joins while the first rounds are in
      // flight, so keys move between the instances mid-stream. Rounds go on until both took part.
      List<OutOfStock> sent = new ArrayList<>();
      long deadline = System.nanoTime() + deliveryTimeout().toNanos();
      for (int seq = 1; seq <= 60; seq++) {
        List<OutOfStock> round = new ArrayList<>();
        for (String key : keys) {
          round.add(events.next(key, seq));
        }
        sendAll(seq % 2 == 1 ? first : second, round);
        sent.addAll(round);
        if (seq == 6) {
          // joins once the first instance works on every key with a backlog, so keys move mid-delivery
          awaitLatch(busy, "the first instance starts handling records of all " + keys.size() + " keys");
          subscribe(second, group, 2, two, OutOfStock.TYPE);
        }
        if (seq >= 8) {
          eventually("every record sent so far is handled by one of the two instances", () -> {
            Set<String> handled = new HashSet<>(one.acknowledged());
            handled.addAll(two.acknowledged());
            allHandled(sent, handled, "either instance");
          });
          if ((one.acknowledgedCount() > 0 && two.acknowledgedCount() > 0) || System.nanoTime() - deadline > 0) {
            break;
          }
        }
      }
      assertThat(two.acknowledgedCount()).as("records handled by the instance that joined (of %s sent): two "
          + "instances in one group must split the records, or no hand-over is checked", sent.size()).isPositive();
      assertThat(one.acknowledgedCount()).as("records handled by the first instance (of %s sent)", sent.size())
          .isPositive();
      oneInstanceAtATimeInSendOrder(sent, one, two);
      noViolations(one, two);
    }

    @Test
    @Order(2)
    void optional_consumerCrash_theSuccessorStartsAKeyOnlyAfterTheCrashedInstanceStoppedHandlingItAndKeepsOrder() {
      assumeTrue(capabilities().durable(),
          "the adapter does not declare capabilities().durable(): nothing outlives a crashed instance");
      assumeOrdered();
      EventBroker doomed = startedBroker();
      int handleBeforeCrash = 40;
      AtomicInteger started = new AtomicInteger();
      AtomicBoolean down = new AtomicBoolean();
      CountDownLatch stuck = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      Recorder crashing = recorder("instance A of group 'takeover' (crashes)").behaviour((event, delivery) -> {
        if (down.get() || started.incrementAndGet() > handleBeforeCrash) {
          stuck.countDown(); // running when the process dies, and still for a while: a thread cannot be killed
          never.await(CRASHED_HANDLER_RUN.toMillis(), TimeUnit.MILLISECONDS);
          throw new Rejected("the instance crashed while handling " + event.eventId());
        }
        LockSupport.parkNanos(200_000);
      });
      String group = group("takeover");
      subscribe(doomed, group, 2, crashing, OutOfStock.TYPE);
      List<OutOfStock> batch = events.interleaved(20, 8);
      sendAll(doomed, batch);
      eventually("the instance handles part of the batch and is busy with the next record", () ->
          assertThat(stuck.getCount()).isZero());

      down.set(true);
      crashOrFail(doomed);
      EventBroker successor = startedBroker();
      Recorder taking = recorder("instance B of group 'takeover' (takes over)");
      subscribe(successor, group, 2, taking, OutOfStock.TYPE);

      eventually("every record reaches the crashed instance (settled before the crash) or the successor", () -> {
        Set<String> handled = new HashSet<>(crashing.acknowledged());
        handled.addAll(taking.acknowledged());
        allHandled(batch, handled, "either instance");
      });
      oneInstanceAtATimeInSendOrder(batch, crashing, taking);
      noViolations(crashing, taking);
    }

    @Test
    @Order(2)
    void optional_consumerCrash_aNewInstanceGetsEveryRecordTheCrashedOneDidNotAcknowledge() {
      assumeTrue(capabilities().durable(),
          "the adapter does not declare capabilities().durable(): nothing outlives a crashed instance");
      EventBroker doomed = startedBroker();
      int handleBeforeCrash = 40;
      AtomicInteger started = new AtomicInteger();
      AtomicBoolean down = new AtomicBoolean();
      CountDownLatch stuck = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      onCleanup("release the crashed instance's handler", release::countDown);
      Recorder beforeCrash = recorder("group 'crash' on the crashing instance").behaviour((event, delivery) -> {
        if (down.get() || started.incrementAndGet() > handleBeforeCrash) {
          stuck.countDown(); // in flight when the process dies: never acknowledged
          release.await(CRASHED_HANDLER_RUN.toMillis(), TimeUnit.MILLISECONDS);
          throw new Rejected("the instance crashed while handling " + event.eventId());
        }
      });
      subscribe(doomed, group("crash"), 2, beforeCrash, OutOfStock.TYPE);
      List<OutOfStock> batch = events.interleaved(20, 8);
      sendAll(doomed, batch);
      eventually("the instance handles part of the batch and is busy with the next record", () -> {
        assertThat(beforeCrash.acknowledgedCount()).isGreaterThanOrEqualTo(handleBeforeCrash - 2);
        assertThat(stuck.getCount()).isZero();
      });

      down.set(true);
      crashOrFail(doomed);
      Set<String> acknowledged = beforeCrash.acknowledged();
      release.countDown();

      EventBroker successor = startedBroker();
      Recorder afterCrash = recorder("group 'crash' on the new instance");
      subscribe(successor, group("crash"), 2, afterCrash, OutOfStock.TYPE);
      eventually("every record not acknowledged before the crash reaches the new instance", () -> {
        Set<String> handled = new HashSet<>(acknowledged);
        handled.addAll(afterCrash.acknowledged());
        allHandled(batch, handled, "the crashed instance (acknowledged before the crash) or the new one");
      });
      noViolations(afterCrash);
    }
  }

  // ================================================================ push-binding tier

  /**
   * Rules for a group fed by pushed batches ({@code EventBus.subscribePush}): an externally
   * delivered batch in, one outcome per record out. Runs when the kit subclass opts in
   * ({@link #runsPushTier()}); the batch items come from {@link #pushed} and {@link #pushedBytes}.
   */
  @Nested
  @Order(3)
  @DisplayName("push-binding tier")
  public class PushTier {
    private final DeliveryPolicy fast = DeliveryPolicy.builder().maxAttempts(3)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(5), 2.0).jitter(0).build();

    @BeforeEach
    void optIn() {
      assumeTrue(runsPushTier(), "the adapter's kit subclass does not opt in to the push tier (runsPushTier()): "
          + "its platform does not push batches to a function");
    }

    private List<Outcome> deliver(PushSubscription group, List<PushSubscription.Pushed> batch) {
      CompletableFuture<List<Outcome>> outcomes = group.deliver(batch).toCompletableFuture();
      try {
        return outcomes.get(deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError("the push group gave no outcomes for a batch of " + batch.size() + " within "
            + deliveryTimeout() + ": " + e, e);
      }
    }

    private List<PushSubscription.Pushed> batch(List<? extends OrderEvent> sent, DeliveryInfo info) {
      return sent.stream().map(e -> pushed(e, info)).collect(Collectors.toList());
    }

    private static List<Outcome.Kind> kinds(List<Outcome> outcomes) {
      return outcomes.stream().map(Outcome::kind).collect(Collectors.toList());
    }

    @Test
    void optional_push_everyRecordGetsOneOutcomeInBatchOrderHandledThenDuplicateWhenRedelivered() {
      EventBus bus = bus(CODEC);
      List<String> handled = Collections.synchronizedList(new ArrayList<>());
      PushSubscription group = bus.subscribePush(ConsumerGroup.builder(group("push")).concurrency(2).build(),
          EventHandlers.builder().on(OutOfStock.TYPE, (event, ctx) -> handled.add(event.eventId())).build());
      List<OutOfStock> sent = events.interleaved(4, 3);

      List<Outcome> first = deliver(group, batch(sent, DeliveryInfo.FIRST));
      List<Outcome> again = deliver(group, batch(sent, DeliveryInfo.delivery(2)));

      assertThat(kinds(first)).as("outcomes of a first delivery, one per record in batch order")
          .hasSize(sent.size()).containsOnly(Outcome.Kind.HANDLED);
      assertThat(kinds(again)).as("outcomes of the same records delivered again (deliveryCount 2)")
          .hasSize(sent.size()).containsOnly(Outcome.Kind.DUPLICATE);
      assertThat(handled).as("events handled").containsExactlyInAnyOrderElementsOf(ids(sent));
    }

    @Test
    void optional_push_aPoisonRecordEndsDeadLetteredWithinTheBatchAfterRetriesOnATimer() {
      EventBus bus = bus(CODEC);
      OutOfStock poison = events.next(events.orderId(0), 1);
      String group = group("pushdlq");
      PushSubscription push = bus.subscribePush(ConsumerGroup.builder(group).concurrency(2).policy(fast).build(),
          EventHandlers.builder().on(OutOfStock.TYPE, (event, ctx) -> {
            if (event.eventId().equals(poison.eventId())) {
              throw new IllegalStateException("kit poison");
            }
          }).build());
      List<OutOfStock> sent = List.of(events.next(events.orderId(1), 1), poison, events.next(events.orderId(2), 1));
      Instant deadline = Instant.now().plus(deliveryTimeout());

      List<Outcome> outcomes = deliver(push, batch(sent, DeliveryInfo.FIRST.withDeadline(deadline)));

      assertThat(kinds(outcomes)).as("outcomes in batch order").containsExactly(Outcome.Kind.HANDLED,
          Outcome.Kind.DEAD_LETTERED, Outcome.Kind.HANDLED);
      DeadLetter dead = bus.deadLetters().failures(group).get(0);
      assertThat(dead.eventId()).as("the dead letter's event").isEqualTo(poison.eventId());
      assertThat(dead.attempts()).as("attempts, retried on a timer within the invocation").isEqualTo(3);
    }

    @Test
    void optional_push_aDeadlineShorterThanTheBackoffYieldsRetryLaterBeforeItPassesAndTheKeysLaterRecordsFollow() {
      EventBus bus = bus(CODEC);
      String key = events.orderId(0);
      DeliveryPolicy slowRetries = DeliveryPolicy.builder().maxAttempts(5)
          .backoff(Duration.ofSeconds(30), Duration.ofSeconds(30), 2.0).jitter(0).build();
      PushSubscription push = bus.subscribePush(ConsumerGroup.builder(group("pushlate")).concurrency(2)
          .policy(slowRetries).build(), EventHandlers.builder().on(OutOfStock.TYPE, (event, ctx) -> {
            if (event.orderId().equals(key) && event.requested() == 1) {
              throw new IllegalStateException("kit: fails once, its retry waits 30 s");
            }
          }).build());
      List<OutOfStock> sent = List.of(events.next(key, 1), events.next(events.orderId(1), 1), events.next(key, 2));
      Instant deadline = Instant.now().plusSeconds(2);

      List<Outcome> outcomes = deliver(push, batch(sent, DeliveryInfo.FIRST.withDeadline(deadline)));
      Instant answered = Instant.now();

      assertThat(answered).as("when the batch's outcomes came (the deadline was %s)", deadline).isBefore(deadline);
      assertThat(kinds(outcomes)).as("outcomes: the failing record's retry does not fit before the deadline, "
          + "the record behind it of its key waits with it, another key is handled").containsExactly(
          Outcome.Kind.RETRY_LATER, Outcome.Kind.HANDLED, Outcome.Kind.RETRY_LATER);
    }

    @Test
    void optional_push_aBrokerOutageWhilePublishingFollowOnEventsYieldsRetryLaterNotADeadLetter() {
      EventBroker down = new ForwardingEventBroker(Objects.requireNonNull(createBroker(namespace))) {
        @Override
        public CompletionStage<Void> send(BrokerRecord record) {
          return CompletableFuture.failedFuture(new OmsException(OmsException.Kind.BROKER_UNAVAILABLE,
              "kit: the broker is down"));
        }
      };
      EventBus bus = EventBus.builder().broker(down).closeTimeout(cleanupTimeout()).build();
      onCleanup("close the push bus", () -> bus.close(cleanupTimeout()));
      String group = group("pushdown");
      PushSubscription push = bus.subscribePush(ConsumerGroup.builder(group).concurrency(1).policy(fast).build(),
          EventHandlers.builder().on(OutOfStock.TYPE, (event, ctx) -> ctx.publish(new StockReleased(ctx.followOn(),
              List.of(new dev.oms.event.OrderLine("TCK-FOLLOW", 1, dev.oms.event.Money.of(1, "USD")))))).build());
      Instant deadline = Instant.now().plusSeconds(1);

      List<Outcome> outcomes = deliver(push, batch(List.of(events.next(events.orderId(0), 1)),
          DeliveryInfo.FIRST.withDeadline(deadline)));

      assertThat(kinds(outcomes)).as("outcome while the broker refuses the follow-on event").containsExactly(
          Outcome.Kind.RETRY_LATER);
      assertThat(bus.deadLetters().list(group)).as("dead letters: an outage is nothing wrong with the record").isEmpty();
    }

    @Test
    void optional_push_malformedBytesAreDeadLetteredWithTheReason() {
      EventBus bus = bus(CODEC);
      String group = group("pushbad");
      PushSubscription push = bus.subscribePush(ConsumerGroup.builder(group).concurrency(1).build(),
          EventHandlers.builder().on(OutOfStock.TYPE, (event, ctx) -> { }).build());
      byte[] garbage = "{\"specversion\": \"1.0\", not json".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      OutOfStock fine = events.next(events.orderId(0), 1);

      List<Outcome> outcomes = deliver(push, List.of(pushedBytes(garbage, DeliveryInfo.FIRST),
          pushed(fine, DeliveryInfo.FIRST)));

      assertThat(kinds(outcomes)).as("outcomes of a malformed record and a good one").containsExactly(
          Outcome.Kind.DEAD_LETTERED, Outcome.Kind.HANDLED);
      List<DeadLetter> dead = bus.deadLetters().failures(group);
      assertThat(dead).as("dead letters").hasSize(1);
      assertThat(dead.get(0).reason()).as("the reason").contains("MALFORMED_EVENT");
      assertThat(dead.get(0).body()).as("the bytes as received").isEqualTo(garbage);
    }
  }
}
