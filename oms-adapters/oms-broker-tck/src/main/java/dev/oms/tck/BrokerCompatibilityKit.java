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
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.codec.EventCodec;
import dev.oms.event.EventType;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OutOfStock;
import dev.oms.event.StockReleased;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
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

  /** A new instance in this test's namespace, started like the bus does, closed after the test. */
  private EventBroker startedBroker() {
    return startedBroker(CODEC);
  }

  /** As {@link #startedBroker()}, with {@code codec} (and its size limit) behind the context. */
  private EventBroker startedBroker(EventCodec codec) {
    EventBroker broker = Objects.requireNonNull(createBroker(namespace), "createBroker returned null");
    // What a bus with this codec would give it: the codec, and core-count workers of its own (the
    // common pool has one thread on two cores, so one record that blocks its handler would hold up
    // every other key of an adapter that delivers on the workers). Stopped after the broker closed.
    java.util.concurrent.ForkJoinPool workers = new java.util.concurrent.ForkJoinPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()), java.util.concurrent.ForkJoinPool
            .defaultForkJoinWorkerThreadFactory, null, true);
    onCleanup("stop the workers of " + broker.name(), workers::shutdownNow);
    onCleanup("close " + broker.name(), () -> {
      if (!crashed.contains(broker)) {
        broker.close(cleanupTimeout());
      }
    });
    broker.start(BrokerContext.of(codec, workers));
    return broker;
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
  private List<List<OutOfStock>> splitByOrder(List<OutOfStock> interleaved, int threads) {
    List<List<OutOfStock>> perThread = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      perThread.add(new ArrayList<>());
    }
    Map<String, Integer> owner = new LinkedHashMap<>();
    for (OutOfStock event : interleaved) {
      int thread = owner.computeIfAbsent(event.orderId(), id -> owner.size() % threads);
      perThread.get(thread).add(event);
    }
    return perThread;
  }

  private void restartBackendOrFail() {
    try {
      restartBackend();
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
      Recorder stock = new Recorder("group 'stock' (subscribed to " + OutOfStock.TYPE.name() + ")");
      Recorder releases = new Recorder("group 'releases' (subscribed to " + StockReleased.TYPE.name() + ")");
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
      Recorder blocked = new Recorder("group 'blocked'").behaviour((event, delivery) ->
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
      Recorder recorder = new Recorder("group 'alo'").behaviour((event, delivery) -> {
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
      Recorder recorder = new Recorder("group 'workers' (concurrency 4)").behaviour((event, delivery) -> {
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
      BrokerCapabilities caps = capabilities();
      assumeTrue(caps.durable() || !caps.carriesObjects(), "the adapter is in-process (carriesObjects, not "
          + "durable): two instances never share a backend, so there is no group to share between them");
      EventBroker first = startedBroker();
      EventBroker second = startedBroker();
      Recorder one = new Recorder("instance 1 of group 'shared'");
      Recorder two = new Recorder("instance 2 of group 'shared'");
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
        Recorder recorder = new Recorder("group 'fan" + concurrency + "' (concurrency " + concurrency + ")");
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
      EventBroker broker = startedBroker();
      Recorder recorder = new Recorder("group 'ordered' (concurrency 4)");
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
      Recorder recorder = new Recorder("group 'redelivery'").behaviour((event, delivery) -> {
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
      recorder.firstAcknowledgedSeqByKey().forEach((key, seqs) -> assertThat(seqs)
          .as("order in which key %s's records were handled: a rejected record must be delivered again before "
              + "the records sent after it with the same key", key)
          .containsExactlyElementsOf(oneTo(perOrder)));
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
      for (OutOfStock event : batch) {
        accepted(bus.publish(event), event);
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
      Recorder recorder = new Recorder("group 'closing'").behaviour((event, delivery) ->
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
          Recorder after = new Recorder("group 'closing' on the next instance");
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
      Recorder recorder = new Recorder("group 'paused'");
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
      recorder.firstAcknowledgedSeqByKey().forEach((key, seqs) ->
          assertThat(seqs).as("order of key %s after resume", key).containsExactlyElementsOf(oneTo(5)));
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
      Recorder recorder = new Recorder("group 'limit'");
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
      EventBroker before = startedBroker();
      Recorder early = new Recorder("group 'durable' before the restart");
      subscribe(before, group("durable"), 2, early, OutOfStock.TYPE).pause();
      List<OutOfStock> batch = events.interleaved(20, 5);
      sendAll(before, batch);
      close(before, Duration.ofSeconds(1)); // what it did not deliver stays in the broker

      restartBackendOrFail();

      EventBroker after = startedBroker();
      Recorder late = new Recorder("group 'durable' after the restart");
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

      Recorder recorder = new Recorder("group 'late' (created after the sends)");
      subscribe(broker, group("late"), 2, recorder, OutOfStock.TYPE);

      eventually("a new group replays the records sent before it existed",
          () -> allHandled(batch, recorder.acknowledged(), recorder.name()));
      neverSent(recorder, batch); // namespaces must be isolated
      recorder.firstAcknowledgedSeqByKey().forEach((key, seqs) ->
          assertThat(seqs).as("replay order of key %s", key).containsExactlyElementsOf(oneTo(5)));
      noViolations(recorder);
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
      Recorder beforeCrash = new Recorder("group 'crash' on the crashing instance").behaviour((event, delivery) -> {
        if (down.get() || started.incrementAndGet() > handleBeforeCrash) {
          stuck.countDown(); // in flight when the process dies: never acknowledged
          release.await(deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
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
      Recorder afterCrash = new Recorder("group 'crash' on the new instance");
      subscribe(successor, group("crash"), 2, afterCrash, OutOfStock.TYPE);
      eventually("every record not acknowledged before the crash reaches the new instance", () -> {
        Set<String> handled = new HashSet<>(acknowledged);
        handled.addAll(afterCrash.acknowledged());
        allHandled(batch, handled, "the crashed instance (acknowledged before the crash) or the new one");
      });
      noViolations(afterCrash);
    }
  }
}
