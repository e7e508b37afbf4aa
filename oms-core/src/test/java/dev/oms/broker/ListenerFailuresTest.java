package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.OrderEvent;
import dev.oms.event.OutOfStock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A listener that throws (a metrics backend down) changes nothing about what happens to a record. */
class ListenerFailuresTest {

  /** A listener whose every hook throws. */
  static final class BrokenListener implements DeliveryListener {
    final AtomicInteger calls = new AtomicInteger();

    private void fail() {
      calls.incrementAndGet();
      throw new IllegalStateException("metrics backend down");
    }

    @Override
    public void onHandled(String group, OrderEvent event, int attempt, long nanos) {
      fail();
    }

    @Override
    public void onRetry(String group, OrderEvent event, int attempt, Throwable error) {
      fail();
    }

    @Override
    public void onDeadLettered(DeadLetter deadLetter) {
      fail();
    }

    @Override
    public void onDuplicate(String group, OrderEvent event) {
      fail();
    }
  }

  @Test
  void aFailingHandlerStillReachesTheDeadLettersAfterMaxAttemptsWhenTheListenerThrowsOnEveryRetry() {
    BrokenListener listener = new BrokenListener();
    AtomicInteger handlerCalls = new AtomicInteger();
    try (EventBus bus = EventBus.builder().listener(listener).build()) {
      bus.subscribe(group("g", 1, fastPolicy(3)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
        handlerCalls.incrementAndGet();
        throw new IllegalStateException("always fails");
      }).build());

      accepted(bus.publish(seqEvent("o-1", 1)));

      await().atMost(WAIT).until(() -> bus.deadLetters().failures("g").size() == 1);
      assertThat(handlerCalls).as("handler runs: exactly the policy's attempts").hasValue(3);
      DeadLetter dead = bus.deadLetters().failures("g").get(0);
      assertThat(dead.attempts()).isEqualTo(3);
      assertThat(dead.reason()).contains("always fails");
      assertThat(listener.calls.get()).as("the listener was called (and threw) on each retry and the dead letter")
          .isGreaterThanOrEqualTo(3);
      assertThat(bus.metrics("g").deadLettered()).isEqualTo(1);
    }
  }

  @Test
  void aHandledEventIsNotHandledAgainWhenTheListenerThrowsInOnHandled() {
    BrokenListener listener = new BrokenListener();
    AtomicInteger handlerCalls = new AtomicInteger();
    try (EventBus bus = EventBus.builder().listener(listener).build()) {
      bus.subscribe(group("g", 1, fastPolicy(3)),
          EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> handlerCalls.incrementAndGet()).build());
      OutOfStock event = seqEvent("o-1", 1);

      accepted(bus.publish(event));
      accepted(bus.publish(event)); // a duplicate: onDuplicate throws too

      await().atMost(WAIT).until(() -> bus.metrics("g").duplicatesSkipped() == 1);
      assertThat(handlerCalls).hasValue(1);
      assertThat(bus.metrics("g").handled()).isEqualTo(1);
      assertThat(bus.metrics("g").retried()).isZero();
      assertThat(bus.deadLetters().list()).isEmpty();
    }
  }
}
