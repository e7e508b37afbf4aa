package dev.oms.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedMethod;

import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.KeyOrder;
import dev.oms.broker.spi.Outcome;
import java.util.concurrent.CompletionStage;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.ForwardingEventBroker;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.event.StockReleased;
import dev.oms.memory.InMemoryBroker;
import dev.oms.memory.InMemoryBrokerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The kit catches what it claims to: each broken broker below (the in-memory broker with one
 * deliberate defect) is run through the rules its defect breaks, and every one of them must fail.
 * The healthy runs ({@link InMemoryBrokerCompatibilityTest}, {@link LogBrokerCompatibilityTest})
 * show the same rules pass when nothing is wrong.
 */
class KitSelfTest {

  /** Runs the named rules (of the tier their prefix says) against {@code kit}; returns the events. */
  private static Events run(Class<? extends BrokerCompatibilityKit> kit, String... rules) {
    List<DiscoverySelector> selectors = new ArrayList<>();
    for (String rule : rules) {
      Class<?> tier = rule.startsWith("optional_") ? BrokerCompatibilityKit.OptionalTier.class
          : BrokerCompatibilityKit.RequiredTier.class;
      selectors.add(selectNestedMethod(List.of(kit), tier, rule));
    }
    return EngineTestKit.engine("junit-jupiter").selectors(selectors.toArray(new DiscoverySelector[0])).execute()
        .testEvents();
  }

  private static String reason(Event event) {
    return event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
        .map(String::valueOf).orElse("");
  }

  private static String method(Event event) {
    return event.getTestDescriptor().getLegacyReportingName().replace("()", "");
  }

  /** Runs {@code rules} against {@code kit}: each must fail, with a message containing {@code reason}. */
  private static void assertKitFails(Class<? extends BrokerCompatibilityKit> kit, String reason, String... rules) {
    Events events = run(kit, rules);
    assertThat(events.started().count()).as("rules run against %s", kit.getSimpleName()).isEqualTo(rules.length);
    Map<String, String> failures = new TreeMap<>();
    events.failed().stream().forEach(e -> failures.put(method(e), e.getPayload(TestExecutionResult.class)
        .flatMap(TestExecutionResult::getThrowable).map(String::valueOf).orElse("?")));
    assertThat(failures.keySet()).as("rules the kit failed %s on; failures: %s", kit.getSimpleName(), failures)
        .containsExactlyInAnyOrder(rules);
    assertThat(failures.values()).as("why the kit failed %s", kit.getSimpleName()).allMatch(m -> m.contains(reason));
  }

  @Test
  void aBrokerThatSilentlyDropsRecordsFailsTheDeliveryRules() {
    assertKitFails(Drops.class, "but not handled by",
        "required_atLeastOnce_everyRecordWhoseSendCompletedIsHandled",
        "required_fanOut_everyGroupGetsEveryRecord",
        "required_concurrentPublishers_everyEventIsDeliveredExactlyOnceWhenNothingFails");
  }

  @Test
  void aBrokerThatDoesNotRedeliverARejectedRecordFailsTheRedeliveryRules() {
    assertKitFails(SwallowsRejections.class, "but not handled by",
        "required_redelivery_aRejectedRecordIsDeliveredAgainBeforeLaterRecordsOfItsKey",
        "required_atLeastOnce_everyRecordWhoseSendCompletedIsHandled",
        "required_retryLater_aRecordAnsweredRetryLaterComesAgainAndASettledOneDoesNot");
  }

  @Test
  void aBrokerThatRedeliversSettledRecordsFailsTheRetryLaterRule() {
    assertKitFails(RedeliversSettled.class, "although their first delivery settled",
        "required_retryLater_aRecordAnsweredRetryLaterComesAgainAndASettledOneDoesNot");
  }

  @Test
  void aBrokerThatWaitsForEachOutcomeFailsThePipeliningRule() {
    assertKitFails(WaitsForOutcomes.class, "must not wait for a record's stage",
        "required_pipelining_aRecordWaitingForItsOutcomeDoesNotHoldUpRecordsOfOtherKeys");
  }

  @Test
  void aBrokerThatOrdersEachTypeOnItsOwnFailsTheOrderAcrossTypesRule() {
    assertKitFails(OrderedPerTypeOnly.class, "in the order they were handled",
        "optional_orderAcrossTypes_aGroupOfTwoTypesSeesAKeysRecordsOfBothInSendOrder");
  }

  @Test
  void aSharedLogThatHandsAPartitionOverWithoutStoppingItsDeliveriesFailsTheSharedGroupOrderRule() {
    assertKitFails(HandsOverWhileDelivering.class, "overlapping times",
        "optional_sharedGroupOrder_twoInstancesNeverHandleOneKeyAtOnceAndKeepItsSendOrder");
  }

  @Test
  void aLogWhoseCrashLeavesHandlersRunningFailsTheCrashHandOverRule() {
    assertKitFails(CrashesWithoutStopping.class, "overlapping times",
        "optional_consumerCrash_theSuccessorStartsAKeyOnlyAfterTheCrashedInstanceStoppedHandlingItAndKeepsOrder");
  }

  @Test
  void aPushBindingThatLosesTheDeadlineFailsTheDeadlineRule() {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectNestedMethod(List.of(LosesDeadline.class),
        BrokerCompatibilityKit.PushTier.class,
        "optional_push_aDeadlineShorterThanTheBackoffYieldsRetryLaterBeforeItPassesAndTheKeysLaterRecordsFollow"))
        .execute().testEvents();
    assertThat(events.failed().count()).as("the deadline rule failed a binding that drops the deadline").isEqualTo(1);
    assertThat(events.failed().stream().map(KitSelfTest::reason)).allMatch(r -> r.contains("gave no outcomes")
        || r.contains("deadline"));
  }

  @Test
  void anUnorderedBrokerSkipsTheOrderingRulesSayingWhy() {
    Events events = run(DeclaresNoOrder.class,
        "required_perKeyOrder_eachKeysRecordsArriveInSendOrderUnderConcurrency",
        "optional_orderAcrossTypes_aGroupOfTwoTypesSeesAKeysRecordsOfBothInSendOrder");
    assertThat(events.aborted().count()).as("ordering rules skipped for a broker declaring KeyOrder.NONE").isEqualTo(2);
    assertThat(events.aborted().stream().map(KitSelfTest::reason)).allMatch(reason -> reason.contains("keyOrder NONE"));
    Events still = run(DeclaresNoOrder.class, "required_redelivery_aRejectedRecordIsDeliveredAgainBeforeLaterRecordsOfItsKey");
    assertThat(still.succeeded().count()).as("the redelivery rule still runs (without its order check)").isEqualTo(1);
  }

  @Test
  void aBackendThatCannotBeRestartedSkipsTheDurabilityRuleSayingWhy() {
    for (Class<? extends BrokerCompatibilityKit> kit : List.of(ManagedLog.class, ManagedLogThrowing.class)) {
      Events events = run(kit, "optional_durability_recordsAcceptedBeforeABrokerRestartAreDeliveredAfterIt");
      assertThat(events.aborted().count()).as("durability rule of %s skipped", kit.getSimpleName()).isEqualTo(1);
      assertThat(events.aborted().stream().map(KitSelfTest::reason)).as("why")
          .allMatch(reason -> reason.contains("cannot be restarted") && reason.contains("managed service"));
      assertThat(events.failed().count()).as("durability rule of %s failed", kit.getSimpleName()).isZero();
    }
  }

  @Test
  void aBrokerThatIgnoresConcurrencyFailsTheCompetingConsumersRule() {
    assertKitFails(SingleThreaded.class, "must be handled at the same time",
        "required_competingConsumers_concurrencySpreadsKeysOverThreadsAndHandlesEachRecordOnce");
  }

  @Test
  void aBrokerThatSwapsRecordsOfAKeyFailsThePerKeyOrderRule() {
    assertKitFails(Unordered.class, "in the order they were handled",
        "required_perKeyOrder_eachKeysRecordsArriveInSendOrderUnderConcurrency");
  }

  @Test
  void aBrokerThatDeliversTypesNobodySubscribedToFailsThePublishSubscribeRule() {
    assertKitFails(DeliversEveryType.class, "event types delivered to",
        "required_publishSubscribe_aGroupReceivesEveryRecordOfItsTypesIntactAndNoOther");
  }

  @Test
  void aBrokerThatReturnsFromCloseBeforeDrainingFailsTheGracefulCloseRule() {
    assertKitFails(ClosesAbruptly.class, "when close returned true",
        "required_gracefulClose_everyRecordAcceptedBeforeCloseIsHandledWhenItReturnsTrue");
  }

  @Test
  void aBrokerThatIgnoresPauseFailsThePauseRule() {
    assertKitFails(IgnoresPause.class, "paused group",
        "required_pauseResume_recordsSentWhilePausedWaitAndArriveAfterResume");
  }

  @Test
  void aBrokerThatAcceptsRecordsOverItsDeclaredLimitFailsTheSizeRule() {
    assertKitFails(IgnoresItsLimit.class, "was accepted, but it must be refused",
        "required_sizeLimit_aRecordOverMaxRecordBytesIsRefusedWithOversizedEvent");
  }

  @Test
  void namespacesAreShortLowercaseAndUnique() {
    Set<String> seen = new HashSet<>();
    for (String method : List.of("required_competingConsumers_twoInstancesSharingAGroupSplitTheRecordsAndLoseNone",
        "optional_replay_x", "x", "__", "ÄÖÜ weird Name")) {
      String namespace = BrokerCompatibilityKit.namespaceFor(method);
      assertThat(namespace).as("namespace of %s", method).matches("tck-[a-z0-9-]+").hasSizeLessThanOrEqualTo(40)
          .doesNotContain("--");
      assertThat(seen.add(namespace)).isTrue();
    }
    assertThat(BrokerCompatibilityKit.namespaceFor("required_fanOut_everyGroup")).startsWith("tck-fan-out-every-group-");
  }

  // ---------------------------------------------------------------- broken brokers

  /** The in-memory broker, with every call passed through; subclasses break one thing. */
  abstract static class Decorator extends ForwardingEventBroker {
    final EventBroker delegate = delegate();

    Decorator() {
      super(InMemoryBroker.create(InMemoryBrokerConfig.builder().threads(4).build()));
    }

    @Override
    public String name() {
      return "broken-" + getClass().getSimpleName();
    }
  }

  /** Kits for the broken brokers fail fast: nothing they wait for is coming. */
  abstract static class BrokenKit extends BrokerCompatibilityKit {
    @Override
    protected Duration deliveryTimeout() {
      return Duration.ofSeconds(1);
    }
  }

  static class Drops extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      AtomicInteger sends = new AtomicInteger();
      return new Decorator() {
        @Override
        public CompletionStage<Void> send(BrokerRecord record) {
          return sends.incrementAndGet() % 50 == 0 ? CompletableFuture.completedFuture(null) : delegate.send(record);
        }
      };
    }
  }

  static class SwallowsRejections extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      return new Decorator() {
        @Override
        public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
          return delegate.subscribe(request, (record, info) -> handler.deliver(record, info)
              .thenApply(outcome -> Outcome.HANDLED)); // the defect: a rejection is treated as an acknowledgement
        }
      };
    }
  }

  static class SingleThreaded extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      return new Decorator() {
        @Override
        public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
          return delegate.subscribe(new SubscriptionRequest(request.group(), request.types(), 1), handler);
        }
      };
    }
  }

  static class Unordered extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      Map<String, BrokerRecord> held = new ConcurrentHashMap<>();
      return new Decorator() {
        @Override
        public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
          return delegate.subscribe(request, (record, info) -> {
            String key = TckEvents.eventOf(record).orderId();
            if (TckEvents.seq(TckEvents.eventOf(record)) == 1) {
              held.put(key, record); // the defect: each key's first record is handled after its second
              return Settle.HANDLED;
            }
            CompletionStage<Outcome> second = handler.deliver(record, info);
            BrokerRecord first = held.remove(key);
            return first == null ? second : second.thenCompose(o -> handler.deliver(first, info));
          });
        }
      };
    }
  }

  static class DeliversEveryType extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      return new Decorator() {
        @Override
        public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
          Set<String> types = new HashSet<>(request.types());
          types.add(StockReleased.TYPE.name());
          types.add(dev.oms.event.OutOfStock.TYPE.name());
          return delegate.subscribe(new SubscriptionRequest(request.group(), types, request.concurrency()), handler);
        }
      };
    }
  }

  static class ClosesAbruptly extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      return new Decorator() {
        @Override
        public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
          return delegate.subscribe(request, (record, info) -> {
            LockSupport.parkNanos(5_000_000); // slow enough that records are certainly queued at close
            return handler.deliver(record, info);
          });
        }

        @Override
        public boolean close(Duration drainTimeout) {
          delegate.close(Duration.ZERO);
          return true; // the defect: claims to have drained
        }
      };
    }
  }

  static class IgnoresPause extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      List<BrokerSubscription> subscriptions = new CopyOnWriteArrayList<>();
      return new Decorator() {
        @Override
        public CompletionStage<Void> send(BrokerRecord record) {
          CompletionStage<Void> sent = delegate.send(record);
          sent.toCompletableFuture().join();
          while (subscriptions.stream().anyMatch(s -> s.backlog() > 0)) {
            LockSupport.parkNanos(100_000); // delivered before send returns, paused or not
          }
          return sent;
        }

        @Override
        public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
          BrokerSubscription real = delegate.subscribe(request, handler);
          subscriptions.add(real);
          return new BrokerSubscription() {
            private volatile boolean paused;

            @Override
            public void pause() {
              paused = true; // the defect: reports paused, keeps delivering
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
              return real.backlog();
            }

            @Override
            public void close() {
              real.close();
            }
          };
        }
      };
    }
  }

  static class RedeliversSettled extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      Set<String> again = ConcurrentHashMap.newKeySet();
      return new Decorator() {
        @Override
        public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
          return delegate.subscribe(request, (record, info) -> handler.deliver(record, info).thenCompose(outcome ->
              outcome.isSettled() && again.add(TckEvents.eventOf(record).eventId())
                  ? handler.deliver(record, DeliveryInfo.delivery(2)) // the defect: a settled record comes back
                  : CompletableFuture.completedFuture(outcome)));
        }
      };
    }
  }

  static class WaitsForOutcomes extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      return new Decorator() {
        @Override
        public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
          return delegate.subscribe(request, (record, info) -> { // the defect: waits for each outcome
            Outcome outcome = handler.deliver(record, info).toCompletableFuture().join();
            return CompletableFuture.completedFuture(outcome);
          });
        }
      };
    }
  }

  static class OrderedPerTypeOnly extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      return new Decorator() {
        @Override
        public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
          // the defect: a queue per type, the second one slower, while orderAcrossTypes is declared
          List<BrokerSubscription> parts = new ArrayList<>();
          for (String type : request.types()) {
            boolean slow = type.equals(StockReleased.TYPE.name());
            parts.add(delegate.subscribe(new SubscriptionRequest(request.group() + "#" + type, Set.of(type),
                request.concurrency()), (record, info) -> {
                  if (slow) {
                    LockSupport.parkNanos(2_000_000);
                  }
                  return handler.deliver(record, info);
                }));
          }
          return parts.get(0);
        }
      };
    }
  }

  static class DeclaresNoOrder extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      return new Decorator() {
        @Override
        public BrokerCapabilities capabilities() {
          return delegate.capabilities().toBuilder().keyOrder(KeyOrder.NONE, false).build();
        }
      };
    }
  }

  /** The log double with a defect of the hand-over between instances. */
  abstract static class BrokenLogKit extends LogBrokerCompatibilityTest {
    @Override
    protected Duration deliveryTimeout() {
      return Duration.ofSeconds(5);
    }
  }

  static class HandsOverWhileDelivering extends BrokenLogKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      LogBroker broker = (LogBroker) super.createBroker(namespace);
      broker.defect(LogBroker.Defect.HAND_OVER_WITHOUT_STOPPING);
      return broker;
    }
  }

  static class CrashesWithoutStopping extends BrokenLogKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      LogBroker broker = (LogBroker) super.createBroker(namespace);
      broker.defect(LogBroker.Defect.CRASH_WITHOUT_STOPPING);
      return broker;
    }
  }

  /** Healthy, but the kit subclass says its backend cannot be restarted here. */
  static class ManagedLog extends LogBrokerCompatibilityTest {
    @Override
    protected java.util.Optional<String> backendCannotBeRestarted() {
      return java.util.Optional.of("a managed service: the test cannot restart it");
    }
  }

  /** The same, said by throwing from restartBackend. */
  static class ManagedLogThrowing extends LogBrokerCompatibilityTest {
    @Override
    protected void restartBackend() {
      throw new BackendNotRestartable("a managed service: the test cannot restart it");
    }
  }

  static class LosesDeadline extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      return new Decorator() { };
    }

    @Override
    protected boolean runsPushTier() {
      return true;
    }

    @Override
    protected dev.oms.broker.PushSubscription.Pushed pushed(dev.oms.event.OrderEvent event, DeliveryInfo info) {
      return super.pushed(event, DeliveryInfo.delivery(info.deliveryCount())); // the defect: the deadline is lost
    }
  }

  static class IgnoresItsLimit extends BrokenKit {
    @Override
    protected EventBroker createBroker(String namespace) {
      return new Decorator() {
        @Override
        public BrokerCapabilities capabilities() {
          return BrokerCapabilities.builder().carriesObjects(true).maxRecordBytes(2048) // declared, never enforced
              .keyOrder(KeyOrder.NATIVE, true).build();
        }
      };
    }
  }
}
