package dev.oms.memory;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.refusal;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.Subscription;
import dev.oms.broker.spi.BrokerProvider;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.event.EventMetadata;
import dev.oms.event.OutOfStock;
import dev.oms.event.StockReleased;
import dev.oms.fixtures.SampleEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The embedded broker: fan-out, lanes, pause/resume, backpressure, draining close, provider. */
class InMemoryBrokerTest {
  private final List<EventBus> buses = new ArrayList<>();

  @AfterEach
  void closeBuses() {
    buses.forEach(b -> b.close(Duration.ofSeconds(5)));
  }

  private EventBus bus(InMemoryBrokerConfig config) {
    EventBus bus = EventBus.builder().broker(InMemoryBroker.create(config)).build();
    buses.add(bus);
    return bus;
  }

  private EventBus bus() {
    return bus(InMemoryBrokerConfig.ofDefaults());
  }

  private static EventHandlers recording(List<Integer> into) {
    return EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> into.add(e.requested())).build();
  }

  private static List<Integer> oneTo(int n) {
    List<Integer> list = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      list.add(i);
    }
    return list;
  }

  /** Two order ids that the broker puts on different lanes of a group with {@code lanes} lanes. */
  private static String[] keysOnDifferentLanes(int lanes) {
    String first = "order-0";
    for (int i = 1; ; i++) {
      String candidate = "order-" + i;
      if (InMemoryBroker.laneIndex(candidate, lanes) != InMemoryBroker.laneIndex(first, lanes)) {
        return new String[] {first, candidate};
      }
    }
  }

  // ---- delivery ----

  @Test
  void everyGroupGetsItsOwnCopyOfEveryEvent() {
    EventBus bus = bus();
    Map<String, List<Integer>> byGroup = new ConcurrentHashMap<>();
    for (String name : List.of("billing", "shipping", "audit")) {
      List<Integer> seen = new CopyOnWriteArrayList<>();
      byGroup.put(name, seen);
      bus.subscribe(group(name, 2, fastPolicy(1)), recording(seen));
    }

    for (int i = 1; i <= 50; i++) {
      accepted(bus.publish(seqEvent("o-1", i)));
    }

    await().atMost(WAIT).until(() -> byGroup.values().stream().allMatch(l -> l.size() == 50));
    byGroup.forEach((name, seen) -> assertThat(seen).as(name).containsExactlyElementsOf(oneTo(50)));
    assertThat(bus.metrics()).extracting(m -> m.handled()).containsOnly(50L);
  }

  @Test
  void anEventOfATypeNoGroupSubscribesIsAcceptedAndGoesNowhere() {
    EventBus bus = bus();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    bus.subscribe(group("stock", 1, fastPolicy(1)), recording(seen));

    accepted(bus.publish(SampleEvents.orderCreated("o-1")));
    accepted(bus.publish(seqEvent("o-1", 1)));

    await().atMost(WAIT).until(() -> seen.size() == 1);
    assertThat(bus.metrics("stock").handled()).isEqualTo(1);
  }

  @Test
  void ordersOnDifferentLanesOfOneGroupAreHandledAtTheSameTime() {
    EventBus bus = bus(InMemoryBrokerConfig.builder().threads(4).build());
    CountDownLatch bothInside = new CountDownLatch(2);
    List<Boolean> metTheOther = new CopyOnWriteArrayList<>();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    bus.subscribe(group("lanes", 4, fastPolicy(1)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      threads.add(Thread.currentThread().getName());
      bothInside.countDown();
      metTheOther.add(bothInside.await(5, TimeUnit.SECONDS));
    }).build());
    String[] keys = keysOnDifferentLanes(4);

    accepted(bus.publish(seqEvent(keys[0], 1)));
    accepted(bus.publish(seqEvent(keys[1], 1)));

    await().atMost(WAIT).until(() -> metTheOther.size() == 2);
    assertThat(metTheOther).containsExactly(true, true);
    assertThat(threads).hasSize(2);
  }

  @Test
  void withConcurrencyOneAGroupHandlesOneEventAtATime() {
    EventBus bus = bus(InMemoryBrokerConfig.builder().threads(4).build());
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    AtomicInteger handled = new AtomicInteger();
    bus.subscribe(group("serial", 1, fastPolicy(1)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
      Thread.onSpinWait();
      inside.decrementAndGet();
      handled.incrementAndGet();
    }).build());

    for (int i = 0; i < 500; i++) {
      accepted(bus.publish(seqEvent("order-" + (i % 50), i)));
    }

    await().atMost(WAIT).until(() -> handled.get() == 500);
    assertThat(maxInside).hasValue(1);
  }

  // ---- pause and resume ----

  @Test
  void aPausedGroupKeepsAcceptingEventsAndHandlesThemInOrderOnResume() {
    EventBus bus = bus();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    Subscription sub = bus.subscribe(group("paused", 2, fastPolicy(1)), recording(seen));
    sub.pause();

    for (int i = 1; i <= 100; i++) {
      accepted(bus.publish(seqEvent("o-1", i)));
    }

    assertThat(sub.metrics().paused()).isTrue();
    assertThat(sub.metrics().backlog()).isEqualTo(100);
    assertThat(bus.totalBacklog()).isEqualTo(100);
    assertThat(seen).isEmpty();

    sub.resume();

    await().atMost(WAIT).until(() -> seen.size() == 100);
    assertThat(seen).containsExactlyElementsOf(oneTo(100));
    assertThat(sub.metrics().paused()).isFalse();
    assertThat(sub.metrics().backlog()).isZero();
  }

  @Test
  void pausingOneGroupDoesNotStopTheOthers() {
    EventBus bus = bus();
    List<Integer> pausedSeen = new CopyOnWriteArrayList<>();
    List<Integer> runningSeen = new CopyOnWriteArrayList<>();
    Subscription paused = bus.subscribe(group("paused", 1, fastPolicy(1)), recording(pausedSeen));
    bus.subscribe(group("running", 1, fastPolicy(1)), recording(runningSeen));
    paused.pause();

    for (int i = 1; i <= 20; i++) {
      accepted(bus.publish(seqEvent("o-1", i)));
    }

    await().atMost(WAIT).until(() -> runningSeen.size() == 20);
    assertThat(paused.metrics().backlog()).isEqualTo(20);
    assertThat(pausedSeen).isEmpty();
  }

  // ---- backpressure ----

  /** Publishes into a paused single-lane group until the broker refuses; returns how many were accepted. */
  private static int fillUntilRefused(EventBus bus, AtomicReference<OmsException> refusal) {
    for (int i = 1; i <= 10_000; i++) {
      CompletableFuture<Void> stage = bus.publish(seqEvent("o-1", i)).toCompletableFuture();
      if (stage.isCompletedExceptionally()) {
        refusal.set(refusal(stage));
        return i - 1;
      }
    }
    throw new AssertionError("the broker never pushed back");
  }

  @Test
  void failFastRefusesAtOnceWithBackpressureWhenAPausedGroupIsFull() {
    EventBus bus = bus(InMemoryBrokerConfig.builder().groupCapacity(1).backpressure(BackpressurePolicy.FAIL_FAST)
        .build());
    Subscription sub = bus.subscribe(group("slow", 1, fastPolicy(1)), recording(new CopyOnWriteArrayList<>()));
    sub.pause();
    AtomicReference<OmsException> refused = new AtomicReference<>();

    int acceptedCount = fillUntilRefused(bus, refused);

    assertThat(acceptedCount).isPositive();
    assertThat(refused.get().kind()).isEqualTo(Kind.BACKPRESSURE);
    assertThat(refused.get().getMessage()).contains("slow").contains("groupCapacity").contains("retry later");
    assertThat(sub.metrics().backlog()).isEqualTo(acceptedCount);
  }

  @Test
  void aGroupHoldsNoMoreThanItsConfiguredCapacityRoundedToAPowerOfTwo() {
    EventBus bus = bus(InMemoryBrokerConfig.builder().groupCapacity(8).backpressure(BackpressurePolicy.FAIL_FAST)
        .build());
    Subscription sub = bus.subscribe(group("slow", 1, fastPolicy(1)), recording(new CopyOnWriteArrayList<>()));
    sub.pause();
    AtomicReference<OmsException> refused = new AtomicReference<>();

    int acceptedCount = fillUntilRefused(bus, refused);

    assertThat(acceptedCount).isEqualTo(8);
  }

  @Test
  void blockWaitsForRoomUpToTheTimeoutThenFailsWithBackpressure() {
    Duration timeout = Duration.ofMillis(300);
    EventBus bus = bus(InMemoryBrokerConfig.builder().groupCapacity(BLOCK_CAPACITY)
        .backpressure(BackpressurePolicy.BLOCK)
        .blockTimeout(timeout).build());
    Subscription sub = bus.subscribe(group("slow", 1, fastPolicy(1)), recording(new CopyOnWriteArrayList<>()));
    sub.pause();
    int capacity = fillToCapacity(bus, sub);

    long start = System.nanoTime();
    CompletionStage<Void> stage = bus.publish(seqEvent("o-1", capacity + 1));
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    OmsException refused = refusal(stage);
    assertThat(refused.kind()).isEqualTo(Kind.BACKPRESSURE);
    assertThat(refused.getMessage()).contains("slow").contains("waited");
    assertThat(waitedMillis).isBetween(timeout.toMillis() - 20, timeout.toMillis() + 3_000);
    assertThat(sub.metrics().backlog()).isEqualTo(capacity);
  }

  /** A power of two, and the smallest lane the broker builds: a one-lane group holds exactly this many. */
  private static final int BLOCK_CAPACITY = 64;

  /** Fills the paused single-lane group of a BLOCK broker to exactly its capacity. */
  private static int fillToCapacity(EventBus bus, Subscription sub) {
    for (int i = 1; i <= BLOCK_CAPACITY; i++) {
      accepted(bus.publish(seqEvent("o-1", i)));
    }
    assertThat(sub.metrics().backlog()).isEqualTo(BLOCK_CAPACITY);
    return BLOCK_CAPACITY;
  }

  @Test
  void aBlockedPublishSucceedsWhenTheGroupIsResumedDuringTheWait() throws Exception {
    EventBus bus = bus(InMemoryBrokerConfig.builder().groupCapacity(BLOCK_CAPACITY)
        .backpressure(BackpressurePolicy.BLOCK)
        .blockTimeout(Duration.ofSeconds(20)).build());
    List<Integer> seen = new CopyOnWriteArrayList<>();
    Subscription sub = bus.subscribe(group("slow", 1, fastPolicy(1)), recording(seen));
    sub.pause();
    int capacity = fillToCapacity(bus, sub);

    CompletableFuture<CompletionStage<Void>> publishing = new CompletableFuture<>();
    Thread publisher = new Thread(() -> publishing.complete(bus.publish(seqEvent("o-1", capacity + 1))));
    long start = System.nanoTime();
    publisher.start();
    await().atMost(WAIT).until(() -> publisher.getState() == Thread.State.TIMED_WAITING
        || publisher.getState() == Thread.State.WAITING);
    assertThat(publishing).isNotDone();

    sub.resume();

    accepted(publishing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    await().atMost(WAIT).until(() -> seen.size() == capacity + 1);
    assertThat(seen).containsExactlyElementsOf(oneTo(capacity + 1));
  }


  @Test
  void aFatalErrorInAHandlerDoesNotStallTheGroup() {
    EventBus bus = bus();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    bus.subscribe(group("g", 1, fastPolicy(1)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      if (e.requested() == 1) {
        throw new StackOverflowError("simulated");
      }
      seen.add(e.requested());
    }).build());

    accepted(bus.publish(seqEvent("o-1", 1)));
    accepted(bus.publish(seqEvent("o-1", 2)));
    accepted(bus.publish(seqEvent("o-2", 1 + 2)));

    // StackOverflowError is a handler bug like any other: dead-lettered, and o-1's next event waits behind it
    await().atMost(WAIT).until(() -> seen.size() == 1 && bus.deadLetters().list("g").size() == 2);
    assertThat(seen).containsExactly(3);
    assertThat(bus.deadLetters().failures("g")).singleElement()
        .satisfies(d -> assertThat(d.reason()).contains("StackOverflowError"));
  }

  @Test
  void anEventWhoseHandlerOverflowsTheStackIsNotSilentlyLost() {
    EventBus bus = bus();
    AtomicInteger calls = new AtomicInteger();
    bus.subscribe(group("g", 1, fastPolicy(2)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      if (calls.incrementAndGet() == 1) {
        throw new StackOverflowError("simulated");
      }
    }).build());

    accepted(bus.publish(seqEvent("o-1", 1)));

    await().atMost(Duration.ofSeconds(3)).until(() -> bus.metrics("g").handled() == 1
        || !bus.deadLetters().list("g").isEmpty());
  }

  // ---- lifecycle ----

  @Test
  void closeDrainsEveryAcceptedEventAndTheEventsTheirHandlersPublish() {
    EventBus bus = bus();
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    bus.subscribe(group("first", 2, fastPolicy(1)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      first.incrementAndGet();
      ctx.publish(new StockReleased(EventMetadata.causedBy(e), SampleEvents.lines()));
    }).build());
    bus.subscribe(group("second", 2, fastPolicy(1)),
        EventHandlers.builder().on(StockReleased.TYPE, (e, ctx) -> second.incrementAndGet()).build());
    for (int i = 0; i < 2_000; i++) {
      accepted(bus.publish(seqEvent("order-" + (i % 100), i)));
    }

    boolean drained = bus.close(WAIT);

    assertThat(drained).isTrue();
    assertThat(first).hasValue(2_000);
    assertThat(second).hasValue(2_000);
  }

  @Test
  void closeReportsFalseWhenAPausedGroupStillHoldsEvents() {
    EventBus bus = bus();
    Subscription sub = bus.subscribe(group("paused", 1, fastPolicy(1)), recording(new CopyOnWriteArrayList<>()));
    sub.pause();
    accepted(bus.publish(seqEvent("o-1", 1)));

    assertThat(bus.close(Duration.ofMillis(500))).isFalse();
  }

  @Test
  void publishAfterCloseFailsWithClosed() {
    EventBus bus = bus();
    bus.subscribe(group("g", 1, fastPolicy(1)), recording(new CopyOnWriteArrayList<>()));
    bus.close();

    assertThat(refusal(bus.publish(seqEvent("o-1", 1))).kind()).isEqualTo(Kind.CLOSED);
    assertThatThrownBy(() -> bus.subscribe(group("late", 1, fastPolicy(1)), recording(new ArrayList<>())))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CLOSED));
  }

  @Test
  void sendingToAClosedBrokerFailsWithClosed() {
    InMemoryBroker broker = InMemoryBroker.ofDefaults();
    EventBus bus = EventBus.builder().broker(broker).build();
    buses.add(bus);
    bus.subscribe(group("g", 1, fastPolicy(1)), recording(new CopyOnWriteArrayList<>()));
    assertThat(bus.close(WAIT)).isTrue();

    assertThat(refusal(broker.send(BrokerRecord.ofEvent(seqEvent("o-1", 1)))).kind()).isEqualTo(Kind.CLOSED);
    assertThatThrownBy(() -> broker.subscribe(new SubscriptionRequest("g2", Set.of(OutOfStock.TYPE.name()), 1),
        (r, i) -> java.util.concurrent.CompletableFuture.completedFuture(dev.oms.broker.spi.Outcome.HANDLED)))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CLOSED));
  }

  @Test
  void subscribingTheSameGroupTwiceIsAConfigurationError() {
    EventBus bus = bus();
    ConsumerGroup g = group("twice", 1, fastPolicy(1));
    bus.subscribe(g, recording(new CopyOnWriteArrayList<>()));

    assertThatThrownBy(() -> bus.subscribe(g, recording(new CopyOnWriteArrayList<>())))
        .isInstanceOfSatisfying(OmsException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION);
          assertThat(e.getMessage()).contains("twice");
        });
  }

  @Test
  void theBrokerItselfRefusesASecondSubscriptionOfAGroup() {
    InMemoryBroker broker = InMemoryBroker.ofDefaults();
    try {
      SubscriptionRequest request = new SubscriptionRequest("twice", Set.of(OutOfStock.TYPE.name()), 1);
      broker.subscribe(request, (r, i) -> java.util.concurrent.CompletableFuture.completedFuture(dev.oms.broker.spi.Outcome.HANDLED));

      assertThatThrownBy(() -> broker.subscribe(request, (r, i) -> java.util.concurrent.CompletableFuture.completedFuture(dev.oms.broker.spi.Outcome.HANDLED)))
          .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION));
    } finally {
      broker.close(Duration.ofSeconds(1));
    }
  }

  @Test
  void anUnsubscribedGroupCanBeSubscribedAgainAndNoLongerReceivesEvents() {
    EventBus bus = bus();
    List<Integer> before = new CopyOnWriteArrayList<>();
    Subscription sub = bus.subscribe(group("g", 1, fastPolicy(1)), recording(before));
    accepted(bus.publish(seqEvent("o-1", 1)));
    await().atMost(WAIT).until(() -> before.size() == 1);

    sub.close();
    accepted(bus.publish(seqEvent("o-1", 2)));
    List<Integer> after = new CopyOnWriteArrayList<>();
    bus.subscribe(group("g", 1, fastPolicy(1)), recording(after));
    accepted(bus.publish(seqEvent("o-1", 3)));

    await().atMost(WAIT).until(() -> after.size() == 1);
    assertThat(before).containsExactly(1);
    assertThat(after).containsExactly(3);
  }

  @Test
  void anUnsubscribedGroupWithABacklogStopsAndItsLaneIsNotScheduledAgain() throws Exception {
    InMemoryBroker broker = InMemoryBroker.ofDefaults();
    EventBus bus = EventBus.builder().broker(broker).build();
    buses.add(bus);
    java.util.concurrent.CountDownLatch inHandler = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
    Subscription sub = bus.subscribe(group("closing", 1, fastPolicy(1)),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
          inHandler.countDown();
          release.await();
          handled.incrementAndGet();
        }).build());
    for (int i = 1; i <= 100; i++) {
      accepted(bus.publish(seqEvent("o-1", i)));
    }
    assertThat(inHandler.await(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();

    sub.close(); // 99 events still queued behind the one in the handler
    release.countDown();

    await().atMost(WAIT).until(broker::isQuiescent);
    assertThat(handled).as("only the event already in its handler finishes").hasValue(1);
  }

  @Test
  void anImpossibleGroupCapacityIsRefusedWhenConfigured() {
    assertThatThrownBy(() -> InMemoryBrokerConfig.builder().groupCapacity(Integer.MAX_VALUE).build())
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
        .hasMessageContaining("groupCapacity");
  }

  @Test
  void theProviderIsFoundByNameAndBuildsABrokerFromOptions() {
    BrokerProvider provider = ServiceLoader.load(BrokerProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("in-memory"))
        .findFirst()
        .orElseThrow();

    EventBroker broker = provider.create(Map.of("groupCapacity", "128", "threads", "2", "drainBatch", "16",
        "backpressure", "FAIL-FAST", "blockTimeoutMillis", " 250 "));
    try {
      assertThat(broker).isInstanceOf(InMemoryBroker.class);
      assertThat(broker.name()).isEqualTo("in-memory");
      assertThat(((InMemoryBroker) broker).config()).isEqualTo(new InMemoryBrokerConfig(
          128, BackpressurePolicy.FAIL_FAST, Duration.ofMillis(250), 2, 16));
    } finally {
      broker.close(Duration.ofSeconds(1));
    }
  }

  @Test
  void theProviderWithoutOptionsUsesTheDefaults() {
    EventBroker broker = new InMemoryBrokerProvider().create(Map.of());
    try {
      assertThat(((InMemoryBroker) broker).config()).isEqualTo(InMemoryBrokerConfig.ofDefaults());
    } finally {
      broker.close(Duration.ofSeconds(1));
    }
  }

  @Test
  void theProviderRejectsAnUnknownOptionNamingTheKnownOnes() {
    assertThatThrownBy(() -> new InMemoryBrokerProvider().create(Map.of("capacity", "10")))
        .isInstanceOfSatisfying(OmsException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION);
          assertThat(e.getMessage()).contains("capacity").contains("groupCapacity").contains("blockTimeoutMillis");
        });
  }

  @Test
  void theProviderRejectsBadValuesWithConfiguration() {
    List<Map<String, String>> bad = List.of(
        Map.of("groupCapacity", "lots"),
        Map.of("groupCapacity", "0"),
        Map.of("threads", "0"),
        Map.of("threads", "2.5"),
        Map.of("drainBatch", "-1"),
        Map.of("blockTimeoutMillis", "soon"),
        Map.of("backpressure", "drop"));
    for (Map<String, String> options : bad) {
      assertThatThrownBy(() -> new InMemoryBrokerProvider().create(options))
          .as("options %s", options)
          .isInstanceOfSatisfying(OmsException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION);
            assertThat(e.getMessage()).contains(options.keySet().iterator().next());
          });
    }
  }

  @Test
  void theProviderRejectsANegativeBlockTimeout() {
    assertThatThrownBy(() -> new InMemoryBrokerProvider().create(Map.of("blockTimeoutMillis", "-5")))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION));
  }

  @Test
  void aPublishRefusedForBackpressureIsNotHandledByAnyGroup() {
    EventBus bus = bus(InMemoryBrokerConfig.builder().groupCapacity(1).backpressure(BackpressurePolicy.FAIL_FAST)
        .build());
    List<Integer> running = new CopyOnWriteArrayList<>();
    bus.subscribe(group("a-running", 1, fastPolicy(1)), recording(running));
    Subscription full = bus.subscribe(group("b-full", 1, fastPolicy(1)), EventHandlers.builder()
        .on(OutOfStock.TYPE, (e, ctx) -> { })
        .on(StockReleased.TYPE, (e, ctx) -> { })
        .build());
    full.pause();
    accepted(bus.publish(new StockReleased(SampleEvents.metadata("o-1"), SampleEvents.lines()))); // fills b-full

    OmsException refused = refusal(bus.publish(seqEvent("o-1", 1)));
    assertThat(refused.kind()).isEqualTo(Kind.BACKPRESSURE);
    assertThat(refused.getMessage()).contains("b-full");

    full.resume();
    await().atMost(WAIT).until(() -> full.metrics().backlog() == 0);
    accepted(bus.publish(seqEvent("o-1", 2)));
    await().atMost(WAIT).until(() -> running.contains(2));
    assertThat(running).as("a-running never saw the refused event").containsExactly(2);
    assertThat(bus.metrics("a-running").backlog()).isZero();
  }

  @Test
  void anInterruptedRetryIsRedeliveredNotLost() {
    EventBus bus = bus();
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    List<Integer> handled = new CopyOnWriteArrayList<>();
    bus.subscribe(group("g", 1, fastPolicy(3)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      if (calls.incrementAndGet() == 1) {
        Thread.currentThread().interrupt(); // e.g. a client library that got interrupted and gave up
        throw new IllegalStateException("interrupted call");
      }
      handled.add(e.requested());
    }).build());

    accepted(bus.publish(seqEvent("o-1", 7)));

    await().atMost(WAIT).until(() -> handled.contains(7));
    assertThat(bus.deadLetters().list()).isEmpty();
  }

  @Test
  void concurrentFanOutsUnderBackpressureReachEveryGroupOrNone() throws Exception {
    EventBus bus = bus(InMemoryBrokerConfig.builder().groupCapacity(32).backpressure(BackpressurePolicy.FAIL_FAST)
        .build());
    List<java.util.Map<Integer, Integer>> seen = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      java.util.Map<Integer, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
      seen.add(counts);
      bus.subscribe(group("fan-" + g, 2, fastPolicy(1)), EventHandlers.builder()
          .on(OutOfStock.TYPE, (e, ctx) -> {
            counts.merge(e.requested(), 1, Integer::sum);
            if (e.requested() % 7 == 0) {
              Thread.yield(); // uneven consumers make groups fill at different times
            }
          }).build());
    }
    java.util.Set<Integer> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.Set<Integer> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.ExecutorService producers = java.util.concurrent.Executors.newFixedThreadPool(3);
    for (int p = 0; p < 3; p++) {
      int producer = p;
      producers.execute(() -> {
        for (int i = 0; i < 5_000; i++) {
          int n = producer * 5_000 + i;
          boolean ok = !bus.publish(seqEvent("o-" + (n % 97), n)).toCompletableFuture().isCompletedExceptionally();
          (ok ? accepted : refused).add(n);
        }
      });
    }
    producers.shutdown();
    assertThat(producers.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    await().atMost(WAIT).until(() -> bus.totalBacklog() == 0);

    assertThat(accepted.size() + refused.size()).isEqualTo(15_000);
    for (java.util.Map<Integer, Integer> counts : seen) {
      assertThat(counts.keySet()).as("each group got exactly the accepted events").isEqualTo(accepted);
      assertThat(counts.values()).as("each once").containsOnly(1);
    }
  }

  @Test
  void aRecordSettledRetryLaterIsDeliveredAgainBeforeTheLaterRecordsOfItsOrder() {
    InMemoryBroker broker = InMemoryBroker.create(InMemoryBrokerConfig.builder().threads(2).build());
    List<String> handled = new CopyOnWriteArrayList<>();
    Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    // A record handler that answers retry-later to the first delivery of every order's second record,
    // as the runtime does when the bus is closing or a step failed: the broker must deliver it again
    // before the order's third record (the runtime's gate lets a record through once the previous settled).
    broker.subscribe(new SubscriptionRequest("g", Set.of(OutOfStock.TYPE.name()), 2), (record, info) -> {
      OutOfStock event = (OutOfStock) record.event();
      String id = event.orderId() + "#" + event.requested();
      if (event.requested() == 2 && deliveries.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() == 1) {
        return CompletableFuture.completedFuture(dev.oms.broker.spi.Outcome.retryLater(Duration.ofMillis(20), null));
      }
      handled.add(id);
      return CompletableFuture.completedFuture(dev.oms.broker.spi.Outcome.HANDLED);
    });
    try {
      for (int seq = 1; seq <= 5; seq++) {
        for (int order = 0; order < 4; order++) {
          accepted(broker.send(BrokerRecord.ofEvent(seqEvent("o-" + order, seq))));
        }
      }
      await().atMost(WAIT).until(() -> handled.size() == 20);
      for (int order = 0; order < 4; order++) {
        String prefix = "o-" + order + "#";
        assertThat(handled.stream().filter(id -> id.startsWith(prefix)).toList()).as("order o-%s", order)
            .containsExactly(prefix + 1, prefix + 2, prefix + 3, prefix + 4, prefix + 5);
      }
    } finally {
      broker.close(Duration.ofSeconds(5));
    }
  }
}
