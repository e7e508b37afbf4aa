package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.Outcome;
import dev.oms.codec.EventCodec;
import dev.oms.event.OutOfStock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A pushed batch in, one outcome per record out: what a Lambda binding answers its queue with. */
class PushSubscriptionTest {
  private final EventCodec codec = EventCodec.ofDefaults();

  private PushSubscription.Pushed pushed(OutOfStock event, int deliveryCount) {
    return new PushSubscription.Pushed(BrokerRecord.ofBytes(null, null, null, codec.encode(event)),
        DeliveryInfo.delivery(deliveryCount).withDeadline(Instant.now().plusSeconds(5)));
  }

  private static List<Outcome> outcomes(PushSubscription push, List<PushSubscription.Pushed> batch) throws Exception {
    return push.deliver(batch).toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void eachRecordOfABatchGetsItsOwnOutcomeInBatchOrder() throws Exception {
    try (EventBus bus = EventBus.builder().build()) {
      PushSubscription push = bus.subscribePush(group("lambda", 4, fastPolicy(2)),
          EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
            if (e.orderId().equals("o-poison")) {
              throw new IllegalStateException("poison");
            }
          }).build());
      OutOfStock ok = seqEvent("o-1", 1);
      OutOfStock poison = seqEvent("o-poison", 1);
      OutOfStock behindPoison = seqEvent("o-poison", 2);
      PushSubscription.Pushed garbage = new PushSubscription.Pushed(
          BrokerRecord.ofBytes(null, null, null, "not json".getBytes(StandardCharsets.UTF_8)), DeliveryInfo.FIRST);

      List<Outcome> first = outcomes(push, List.of(pushed(ok, 1), pushed(poison, 1), pushed(behindPoison, 1), garbage));
      List<Outcome> again = outcomes(push, List.of(pushed(ok, 2)));

      assertThat(first).containsExactly(Outcome.HANDLED, Outcome.DEAD_LETTERED, Outcome.PARKED, Outcome.DEAD_LETTERED);
      assertThat(again).containsExactly(Outcome.DUPLICATE);
      assertThat(bus.deadLetters().failures("lambda")).hasSize(2);
    }
  }

  @Test
  void recordsOfAnOrderBehindOneLeftForLaterAreLeftForLaterTooSoAFifoQueueRedeliversThemInOrder() throws Exception {
    try (EventBus bus = EventBus.builder().build()) {
      PushSubscription push = bus.subscribePush(group("lambda", 4, DeliveryPolicy.builder().maxAttempts(5)
              .backoff(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(10), 1).build()),
          EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
            if (e.orderId().equals("o-slow") && e.requested() == 1) {
              throw new IllegalStateException("a transient failure whose retry does not fit the invocation");
            }
          }).build());

      List<Outcome> outcomes = outcomes(push,
          List.of(pushed(seqEvent("o-slow", 1), 1), pushed(seqEvent("o-other", 1), 1), pushed(seqEvent("o-slow", 2), 1)));

      assertThat(outcomes.get(0).kind()).isEqualTo(Outcome.Kind.RETRY_LATER);
      assertThat(outcomes.get(1)).isEqualTo(Outcome.HANDLED);
      assertThat(outcomes.get(2).kind()).as("behind its order's first record").isEqualTo(Outcome.Kind.RETRY_LATER);
      assertThat(bus.deadLetters().list()).isEmpty();
    }
  }

  @Test
  void aPausedPushGroupLeavesItsBatchesForLater() throws Exception {
    try (EventBus bus = EventBus.builder().build()) {
      PushSubscription push = bus.subscribePush(group("lambda", 1, fastPolicy(1)),
          EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> { }).build());
      push.pause();

      assertThat(outcomes(push, List.of(pushed(seqEvent("o-1", 1), 1))))
          .allSatisfy(o -> assertThat(o.isSettled()).isFalse());
      push.resume();
      assertThat(outcomes(push, List.of(pushed(seqEvent("o-1", 1), 1)))).containsExactly(Outcome.HANDLED);
    }
  }
}
