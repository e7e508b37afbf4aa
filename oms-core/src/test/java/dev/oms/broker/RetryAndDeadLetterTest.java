package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.oms.OmsException;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.EventMetadata;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.StockReserved;
import dev.oms.fixtures.SampleEvents;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A failing handler is retried with backoff, then dead-lettered; operators redrive or discard. */
class RetryAndDeadLetterTest {
  private static final int MAX_ATTEMPTS = 3;
  private static final String GROUP = "inventory";

  private final RecordingListener listener = new RecordingListener();
  private final EventBus bus = EventBus.builder().listener(listener).build();
  private final AtomicBoolean broken = new AtomicBoolean(true);
  private final AtomicInteger calls = new AtomicInteger();
  private final List<Integer> attemptsSeen = new CopyOnWriteArrayList<>();
  private final List<String> handledIds = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeBus() {
    bus.close();
  }

  /** Records every listener callback. */
  static final class RecordingListener implements DeliveryListener {
    final List<Integer> retries = new CopyOnWriteArrayList<>();
    final List<String> retryMessages = new CopyOnWriteArrayList<>();
    final List<DeadLetter> deadLettered = new CopyOnWriteArrayList<>();
    final List<Integer> handledAttempts = new CopyOnWriteArrayList<>();
    final List<String> handledGroups = new CopyOnWriteArrayList<>();

    @Override
    public void onHandled(String group, OrderEvent event, int attempt, long nanos) {
      handledAttempts.add(attempt);
      handledGroups.add(group);
    }

    @Override
    public void onRetry(String group, OrderEvent event, int attempt, Throwable error) {
      retries.add(attempt);
      retryMessages.add(error.getMessage());
    }

    @Override
    public void onDeadLettered(DeadLetter deadLetter) {
      deadLettered.add(deadLetter);
    }
  }

  private void subscribeHandlerBrokenWhileFlagSet() {
    bus.subscribe(group(GROUP, 2, fastPolicy(MAX_ATTEMPTS)), EventHandlers.builder()
        .on(OrderCreated.TYPE, (e, ctx) -> {
          calls.incrementAndGet();
          attemptsSeen.add(ctx.attempt());
          if (broken.get()) {
            throw new IllegalStateException("warehouse API down for " + e.orderId());
          }
          handledIds.add(e.eventId());
        })
        .build());
  }

  private DeadLetter awaitOneDeadLetter() {
    await().atMost(WAIT).until(() -> bus.deadLetters().list(GROUP).size() == 1);
    return bus.deadLetters().list(GROUP).get(0);
  }

  @Test
  void anAlwaysFailingHandlerRunsExactlyMaxAttemptsTimesThenTheEventIsDeadLettered() {
    subscribeHandlerBrokenWhileFlagSet();
    OrderCreated event = SampleEvents.orderCreated("o-1");

    accepted(bus.publish(event));
    DeadLetter dl = awaitOneDeadLetter();

    assertThat(calls).hasValue(MAX_ATTEMPTS);
    assertThat(attemptsSeen).containsExactly(1, 2, 3);
    assertThat(dl.group()).isEqualTo(GROUP);
    assertThat(dl.key()).isEqualTo("o-1");
    assertThat(dl.type()).isEqualTo(OrderCreated.TYPE.name());
    assertThat(dl.eventId()).isEqualTo(event.eventId());
    assertThat(dl.attempts()).isEqualTo(MAX_ATTEMPTS);
    assertThat(dl.reason()).contains("warehouse API down for o-1").contains(IllegalStateException.class.getName());
    assertThat(dl.isFailure()).isTrue();
    assertThat(bus.deadLetters().failures(GROUP)).containsExactly(dl);
    assertThat(bus.deadLetters().event(dl)).isEqualTo(event);
    assertThat(bus.deadLetters().get(dl.id())).contains(dl);

    GroupMetrics m = bus.metrics(GROUP);
    assertThat(m.retried()).isEqualTo(MAX_ATTEMPTS - 1);
    assertThat(m.deadLettered()).isEqualTo(1);
    assertThat(m.handled()).isZero();
  }

  @Test
  void theListenerHearsEveryRetryAndTheDeadLetter() {
    subscribeHandlerBrokenWhileFlagSet();
    accepted(bus.publish(SampleEvents.orderCreated("o-1")));
    DeadLetter dl = awaitOneDeadLetter();

    await().atMost(WAIT).until(() -> listener.deadLettered.size() == 1);
    assertThat(listener.retries).containsExactly(1, 2);
    assertThat(listener.retryMessages).allMatch(m -> m.contains("warehouse API down"));
    assertThat(listener.deadLettered.get(0).id()).isEqualTo(dl.id());
    assertThat(listener.handledAttempts).isEmpty();
  }

  @Test
  void aHandlerFailingTwiceThenSucceedingIsHandledWithoutADeadLetter() {
    bus.subscribe(group(GROUP, 1, fastPolicy(MAX_ATTEMPTS)), EventHandlers.builder()
        .on(OrderCreated.TYPE, (e, ctx) -> {
          if (calls.incrementAndGet() <= 2) {
            throw new IllegalStateException("transient");
          }
          handledIds.add(e.eventId());
        })
        .build());
    OrderCreated event = SampleEvents.orderCreated("o-1");

    accepted(bus.publish(event));

    await().atMost(WAIT).until(() -> bus.metrics(GROUP).handled() == 1);
    assertThat(handledIds).containsExactly(event.eventId());
    assertThat(calls).hasValue(3);
    assertThat(bus.deadLetters().list()).isEmpty();
    GroupMetrics m = bus.metrics(GROUP);
    assertThat(m.retried()).isEqualTo(2);
    assertThat(m.deadLettered()).isZero();
    await().atMost(WAIT).until(() -> listener.handledAttempts.size() == 1);
    assertThat(listener.retries).containsExactly(1, 2);
    assertThat(listener.handledAttempts).containsExactly(3);
    assertThat(listener.deadLettered).isEmpty();
  }

  @Test
  void redriveAfterTheHandlerIsFixedHandlesTheSameEventAndRemovesTheDeadLetter() {
    subscribeHandlerBrokenWhileFlagSet();
    OrderCreated event = SampleEvents.orderCreated("o-1");
    accepted(bus.publish(event));
    DeadLetter dl = awaitOneDeadLetter();

    broken.set(false);
    RedriveResult result = bus.deadLetters().redrive(dl.id());

    assertThat(result.deadLetterId()).isEqualTo(dl.id());
    assertThat(result.handled()).isTrue();
    assertThat(result.released()).isZero();
    assertThat(result.orderUnblocked()).isTrue();
    assertThat(result.reason()).isNull();
    assertThat(handledIds).containsExactly(event.eventId());
    assertThat(bus.deadLetters().list()).isEmpty();
    assertThat(bus.deadLetters().get(dl.id())).isEmpty();
    assertThat(bus.metrics(GROUP).handled()).isEqualTo(1);
    // attempt numbering continues across the redrive
    assertThat(listener.handledAttempts).containsExactly(MAX_ATTEMPTS + 1);
  }

  @Test
  void afterASuccessfulRedriveLaterEventsOfTheOrderFlowNormally() {
    subscribeHandlerBrokenWhileFlagSet();
    accepted(bus.publish(SampleEvents.orderCreated("o-1")));
    DeadLetter dl = awaitOneDeadLetter();
    broken.set(false);
    bus.deadLetters().redrive(dl.id());

    OrderCreated later = SampleEvents.orderCreated("o-1");
    accepted(bus.publish(later));

    await().atMost(WAIT).until(() -> handledIds.contains(later.eventId()));
    assertThat(bus.deadLetters().list()).isEmpty();
  }

  @Test
  void aRedriveThatFailsAgainKeepsTheDeadLetterWithMoreAttempts() {
    subscribeHandlerBrokenWhileFlagSet();
    accepted(bus.publish(SampleEvents.orderCreated("o-1")));
    DeadLetter dl = awaitOneDeadLetter();

    RedriveResult result = bus.deadLetters().redrive(dl.id());

    assertThat(result.handled()).isFalse();
    assertThat(result.orderUnblocked()).isFalse();
    assertThat(result.stillDeadLetterId()).isEqualTo(dl.id());
    assertThat(result.reason()).contains("warehouse API down");
    assertThat(calls).hasValue(2 * MAX_ATTEMPTS);
    DeadLetter after = bus.deadLetters().get(dl.id()).orElseThrow();
    assertThat(after.attempts()).isEqualTo(2 * MAX_ATTEMPTS);
    assertThat(after.isFailure()).isTrue();
    assertThat(after.eventId()).isEqualTo(dl.eventId());
    assertThat(bus.deadLetters().list(GROUP)).hasSize(1);
    assertThat(handledIds).isEmpty();
  }

  @Test
  void discardRemovesTheDeadLetterWithoutHandlingItAndUnblocksTheOrder() {
    subscribeHandlerBrokenWhileFlagSet();
    accepted(bus.publish(SampleEvents.orderCreated("o-1")));
    DeadLetter dl = awaitOneDeadLetter();

    RedriveResult result = bus.deadLetters().discard(dl.id());

    assertThat(result.handled()).isFalse();
    assertThat(result.orderUnblocked()).isTrue();
    assertThat(bus.deadLetters().list()).isEmpty();
    assertThat(calls).hasValue(MAX_ATTEMPTS);

    broken.set(false);
    OrderCreated later = SampleEvents.orderCreated("o-1");
    accepted(bus.publish(later));
    await().atMost(WAIT).until(() -> handledIds.contains(later.eventId()));
  }

  @Test
  void redriveAllRedrivesEveryFailureOfTheGroup() {
    subscribeHandlerBrokenWhileFlagSet();
    accepted(bus.publish(SampleEvents.orderCreated("o-1")));
    accepted(bus.publish(SampleEvents.orderCreated("o-2")));
    await().atMost(WAIT).until(() -> bus.deadLetters().failures(GROUP).size() == 2);

    broken.set(false);
    int unblocked = bus.deadLetters().redriveAll(GROUP);

    assertThat(unblocked).isEqualTo(2);
    assertThat(handledIds).hasSize(2);
    assertThat(bus.deadLetters().list()).isEmpty();
  }

  @Test
  void redriveOrDiscardOfAnUnknownIdIsNotFound() {
    subscribeHandlerBrokenWhileFlagSet();

    assertThatThrownBy(() -> bus.deadLetters().redrive("no-such-id"))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.NOT_FOUND));
    assertThatThrownBy(() -> bus.deadLetters().discard("no-such-id"))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.NOT_FOUND));
  }

  @Test
  void redriveOfADeadLetterWhoseGroupIsNoLongerSubscribedIsNotFound() {
    Subscription sub = bus.subscribe(group(GROUP, 1, fastPolicy(1)),
        EventHandlers.builder().on(OrderCreated.TYPE, (e, ctx) -> {
          throw new IllegalStateException("down");
        }).build());
    accepted(bus.publish(SampleEvents.orderCreated("o-1")));
    DeadLetter dl = awaitOneDeadLetter();
    sub.close();

    assertThatThrownBy(() -> bus.deadLetters().redrive(dl.id()))
        .isInstanceOfSatisfying(OmsException.class, e -> {
          assertThat(e.kind()).isEqualTo(OmsException.Kind.NOT_FOUND);
          assertThat(e.getMessage()).contains(GROUP).contains("subscribe");
        });
    assertThat(bus.deadLetters().get(dl.id())).isPresent();
  }

  @Test
  void eventsPublishedByAFailedAttemptAreNotSentOnlyThoseOfTheSuccessfulOne() {
    List<String> downstream = new CopyOnWriteArrayList<>();
    bus.subscribe(group(GROUP, 1, fastPolicy(MAX_ATTEMPTS)), EventHandlers.builder()
        .on(OrderCreated.TYPE, (e, ctx) -> {
          ctx.publish(new StockReserved(EventMetadata.causedBy(e), e.lines()));
          if (ctx.attempt() == 1) {
            throw new IllegalStateException("failed after publishing");
          }
        })
        .build());
    bus.subscribe(group("downstream", 1, fastPolicy(1)), EventHandlers.builder()
        .on(StockReserved.TYPE, (e, ctx) -> downstream.add(e.metadata().causationId()))
        .build());
    OrderCreated event = SampleEvents.orderCreated("o-1");

    accepted(bus.publish(event));

    await().atMost(WAIT).until(() -> bus.metrics(GROUP).handled() == 1 && bus.metrics("downstream").handled() == 1);
    assertThat(bus.close(WAIT)).isTrue();
    assertThat(downstream).containsExactly(event.eventId());
  }
}
