package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.event.OrderEvent;
import dev.oms.event.Money;
import dev.oms.event.OrderLine;
import dev.oms.event.OutOfStock;
import dev.oms.event.StockReleased;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A redelivered event id is handled once per group, within the idempotency store's stated reach. */
class DeduplicationTest {
  private final List<String> handledIds = new CopyOnWriteArrayList<>();
  private final List<String> duplicateIds = new CopyOnWriteArrayList<>();
  private final EventBus bus = EventBus.builder().listener(new DeliveryListener() {
    @Override
    public void onDuplicate(String group, OrderEvent event) {
      duplicateIds.add(event.eventId());
    }
  }).build();

  @AfterEach
  void closeBus() {
    bus.close();
  }

  private void subscribe(DeliveryPolicy policy) {
    bus.subscribe(group("dedup", 1, policy),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> handledIds.add(e.eventId())).build());
  }

  private void awaitProcessed(long handled, long duplicates) {
    await().atMost(WAIT).until(() -> {
      GroupMetrics m = bus.metrics("dedup");
      return m.handled() == handled && m.duplicatesSkipped() == duplicates;
    });
  }

  @Test
  void aRetryAfterItsFollowOnEventsWereAcceptedDoesNotSendThemAgain() {
    // The downstream group keeps no ids at all: whatever it sees twice was sent twice.
    List<String> downstream = new CopyOnWriteArrayList<>();
    bus.subscribe(group("downstream", 1, DeliveryPolicy.builder().deduplicate(false).build()),
        EventHandlers.builder().on(StockReleased.TYPE, (e, ctx) -> downstream.add(e.eventId())).build());
    AtomicInteger attempts = new AtomicInteger();
    bus.subscribe(group("dedup", 1, fastPolicy(3)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      attempts.incrementAndGet();
      ctx.publish(new StockReleased(ctx.followOn(), List.of(new OrderLine("SKU-1", 1, Money.of(100, "EUR")))));
      ctx.afterPublish(() -> {
        if (attempts.get() == 1) {
          throw new IllegalStateException("the state change after the publish fails once");
        }
      });
    }).build());

    accepted(bus.publish(seqEvent("o-1", 1)));

    awaitProcessed(1, 0);
    await().atMost(WAIT).until(() -> bus.metrics("downstream").handled() == 1);
    assertThat(attempts).as("handler runs: the first failed after its publish, the retry succeeded").hasValue(2);
    assertThat(downstream).as("the follow-on the first attempt had sent is not sent again by the retry").hasSize(1);
  }

  @Test
  void theSameEventPublishedTwiceIsHandledOnceAndCountedAsADuplicate() {
    subscribe(fastPolicy(3));
    OutOfStock event = seqEvent("o-1", 1);

    accepted(bus.publish(event));
    accepted(bus.publish(event));

    awaitProcessed(1, 1);
    assertThat(handledIds).containsExactly(event.eventId());
    assertThat(duplicateIds).containsExactly(event.eventId());
    assertThat(bus.deadLetters().list()).isEmpty();
  }

  @Test
  void aRedeliveryLaterInTheStreamIsStillSkipped() {
    subscribe(fastPolicy(3));
    OutOfStock first = seqEvent("o-1", 1);
    OutOfStock second = seqEvent("o-1", 2);
    OutOfStock other = seqEvent("o-2", 1);

    accepted(bus.publish(first));
    accepted(bus.publish(second));
    accepted(bus.publish(other));
    accepted(bus.publish(first));
    accepted(bus.publish(other));

    awaitProcessed(3, 2);
    assertThat(handledIds).containsExactlyInAnyOrder(first.eventId(), second.eventId(), other.eventId());
  }

  @Test
  void twoDifferentEventsOfTheSameOrderAreBothHandled() {
    subscribe(fastPolicy(3));
    OutOfStock a = seqEvent("o-1", 1);
    OutOfStock b = seqEvent("o-1", 1); // same content, different event id

    accepted(bus.publish(a));
    accepted(bus.publish(b));

    awaitProcessed(2, 0);
    assertThat(handledIds).containsExactly(a.eventId(), b.eventId());
  }

  @Test
  void withDeduplicationOffARedeliveryIsHandledAgain() {
    subscribe(fastPolicy(3).toBuilder().deduplicate(false).build());
    OutOfStock event = seqEvent("o-1", 1);

    accepted(bus.publish(event));
    accepted(bus.publish(event));

    awaitProcessed(2, 0);
    assertThat(handledIds).containsExactly(event.eventId(), event.eventId());
    assertThat(duplicateIds).isEmpty();
  }

  @Test
  void eachGroupDeduplicatesOnItsOwn() {
    List<String> other = new CopyOnWriteArrayList<>();
    subscribe(fastPolicy(3));
    bus.subscribe(group("other", 1, fastPolicy(3)),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> other.add(e.eventId())).build());
    OutOfStock event = seqEvent("o-1", 1);

    accepted(bus.publish(event));
    accepted(bus.publish(event));

    awaitProcessed(1, 1);
    await().atMost(WAIT).until(() -> bus.metrics("other").duplicatesSkipped() == 1);
    assertThat(handledIds).containsExactly(event.eventId());
    assertThat(other).containsExactly(event.eventId());
  }

  @Test
  void aFailedEventIsNotRememberedSoItsRedeliveryIsHandled() {
    AtomicInteger calls = new AtomicInteger();
    bus.subscribe(group("dedup", 1, fastPolicy(1)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("first delivery fails");
      }
      handledIds.add(e.eventId());
    }).build());
    OutOfStock event = seqEvent("o-1", 1);
    accepted(bus.publish(event));
    await().atMost(WAIT).until(() -> bus.deadLetters().failures("dedup").size() == 1);

    RedriveResult result = bus.deadLetters().redrive(bus.deadLetters().failures("dedup").get(0).id());

    assertThat(result.handled()).isTrue();
    assertThat(handledIds).containsExactly(event.eventId());
    assertThat(bus.metrics("dedup").duplicatesSkipped()).isZero();
  }

  @Test
  void theReachIsPerOrderNotACountSoAHundredThousandOtherEventsInBetweenForgetNothing() {
    AtomicInteger handled = new AtomicInteger();
    bus.subscribe(group("dedup", 2, fastPolicy(3)),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> handled.incrementAndGet()).build());
    OutOfStock first = seqEvent("o-first", 1);
    accepted(bus.publish(first));
    int others = 100_000; // the old window remembered about 100,000 ids: this many pushed the first one out
    for (int i = 0; i < others; i++) {
      bus.publish(seqEvent("o-" + i, 1));
    }
    awaitProcessed(others + 1, 0);

    accepted(bus.publish(first)); // the same event id again, after all of them

    awaitProcessed(others + 1, 1);
    assertThat(handled).hasValue(others + 1);
    assertThat(duplicateIds).containsExactly(first.eventId());
    assertThat(bus.idempotencyReach().rule()).contains("per group and order");
  }
}
