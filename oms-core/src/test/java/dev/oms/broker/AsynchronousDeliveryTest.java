package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.OmsException;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.event.EventMetadata;
import dev.oms.event.OutOfStock;
import dev.oms.event.StockReleased;
import dev.oms.fixtures.ControlledBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing waits by holding a thread: while one order's follow-on events wait for the broker's
 * acknowledgement, or its handler waits for a retry, the same lane handles other orders; the order
 * itself stays one record at a time, and its state changes commit only after its events were
 * accepted.
 */
class AsynchronousDeliveryTest {
  private static final List<dev.oms.event.OrderLine> LINES =
      List.of(new dev.oms.event.OrderLine("SKU-1", 1, dev.oms.event.Money.of(100, "USD")));
  private final ControlledBroker broker = new ControlledBroker();
  private final EventBus bus = EventBus.builder().broker(broker).build();
  private final List<String> log = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    broker.releaseAcks();
    bus.close(Duration.ofSeconds(5));
  }

  private static boolean followOnOf(BrokerRecord record, String orderId) {
    return record.type().equals(StockReleased.TYPE.name()) && orderId.equals(record.key());
  }

  /** One lane; each OutOfStock publishes a StockReleased follow-on and commits after it was accepted. */
  private void subscribeOneLane(DeliveryPolicy policy) {
    bus.subscribe(group("g", 1, policy), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      log.add("handle " + e.orderId() + "-" + e.requested());
      ctx.publish(new StockReleased(ctx.followOn(), LINES));
      ctx.afterPublish(() -> log.add("commit " + e.orderId() + "-" + e.requested()));
    }).build());
  }

  @Test
  void whileAnOrdersFollowOnEventsWaitForTheBrokerOtherOrdersAreHandledAndTheOrdersNextEventWaits() {
    subscribeOneLane(DeliveryPolicy.ofDefaults());
    broker.holdAcks(r -> followOnOf(r, "o-A"));

    accepted(bus.publish(seqEvent("o-A", 1)));
    accepted(bus.publish(seqEvent("o-A", 2)));
    accepted(bus.publish(seqEvent("o-B", 1)));

    await().atMost(WAIT).until(() -> log.contains("commit o-B-1"));
    assertThat(log).as("o-A's first event waits for its ack; its second waits behind it; o-B went on")
        .containsExactly("handle o-A-1", "handle o-B-1", "commit o-B-1");
    assertThat(broker.heldAcks()).isEqualTo(1);

    broker.heal();
    broker.releaseAcks();

    await().atMost(WAIT).until(() -> log.contains("commit o-A-2"));
    assertThat(log).containsExactly("handle o-A-1", "handle o-B-1", "commit o-B-1", "commit o-A-1",
        "handle o-A-2", "commit o-A-2");
    assertThat(bus.metrics("g").inFlight()).isZero();
  }

  @Test
  void aRetryWaitsOnATimerSoTheLaneHandlesOtherOrdersMeanwhile() {
    AtomicInteger aCalls = new AtomicInteger();
    DeliveryPolicy slowRetry = DeliveryPolicy.builder().maxAttempts(3)
        .backoff(Duration.ofMillis(300), Duration.ofMillis(300), 1.0).jitter(0).build();
    bus.subscribe(group("g", 1, slowRetry), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      if (e.orderId().equals("o-A") && aCalls.incrementAndGet() == 1) {
        log.add("fail o-A");
        throw new IllegalStateException("flaky");
      }
      log.add("handle " + e.orderId());
    }).build());

    accepted(bus.publish(seqEvent("o-A", 1)));
    accepted(bus.publish(seqEvent("o-B", 1)));

    await().atMost(WAIT).until(() -> log.contains("handle o-A"));
    assertThat(log).as("o-B is handled during o-A's 300 ms backoff, on the group's only lane")
        .containsExactly("fail o-A", "handle o-B", "handle o-A");
  }

  @Test
  void aBrokerOutageWhilePublishingFollowOnsWaitsAndNeverDeadLetters() {
    subscribeOneLane(DeliveryTestSupport.fastPolicy(2));
    List<String> released = new CopyOnWriteArrayList<>();
    bus.subscribe(group("downstream", 1, DeliveryPolicy.ofDefaults()),
        EventHandlers.builder().on(StockReleased.TYPE, (e, ctx) -> released.add(e.eventId())).build());
    broker.failSends(r -> r.type().equals(StockReleased.TYPE.name()), OmsException.Kind.BROKER_UNAVAILABLE);

    accepted(bus.publish(seqEvent("o-A", 1)));

    await().atMost(WAIT).until(() -> bus.metrics("g").retryLater() >= 5);
    assertThat(bus.deadLetters().list()).as("an outage is not the record's fault").isEmpty();
    assertThat(log).doesNotContain("commit o-A-1");

    broker.heal();

    await().atMost(WAIT).until(() -> log.contains("commit o-A-1") && released.size() == 1);
    assertThat(bus.metrics("g").handled()).isEqualTo(1);
    assertThat(bus.metrics("g").deadLettered()).isZero();
    assertThat(log.stream().filter(l -> l.equals("commit o-A-1"))).hasSize(1);
  }

  @Test
  void aFollowOnEventTheBrokerRefusesAsInvalidIsTheHandlersFailureAndEndsInTheDeadLetters() {
    subscribeOneLane(DeliveryTestSupport.fastPolicy(2));
    broker.failSends(r -> r.type().equals(StockReleased.TYPE.name()), OmsException.Kind.OVERSIZED_EVENT);

    accepted(bus.publish(seqEvent("o-A", 1)));

    await().atMost(WAIT).until(() -> bus.deadLetters().failures("g").size() == 1);
    assertThat(bus.deadLetters().failures("g").get(0).reason()).contains("OVERSIZED_EVENT");
    assertThat(bus.metrics("g").retried()).isEqualTo(1);
  }

  @Test
  void aPublishTheBrokerNeverAnswersTimesOutAndIsTriedAgain() {
    DeliveryPolicy shortTimeout = DeliveryTestSupport.fastPolicy(2).toBuilder()
        .publishTimeout(Duration.ofMillis(200)).build();
    subscribeOneLane(shortTimeout);
    broker.holdAcks(r -> followOnOf(r, "o-A"));

    accepted(bus.publish(seqEvent("o-A", 1)));

    await().atMost(WAIT).until(() -> bus.metrics("g").retryLater() >= 1);
    broker.heal();
    await().atMost(WAIT).until(() -> log.contains("commit o-A-1"));
    assertThat(bus.deadLetters().list()).isEmpty();
    assertThat(log.stream().filter(l -> l.startsWith("handle o-A-1")).count())
        .as("the handler ran again after the timeout").isGreaterThanOrEqualTo(2);
  }

  @Test
  void followOnEventsOfARetriedHandlerKeepTheirIdsSoDownstreamHandlesThemOnce() {
    subscribeOneLane(DeliveryTestSupport.fastPolicy(3));
    List<String> downstream = new CopyOnWriteArrayList<>();
    bus.subscribe(group("downstream", 1, DeliveryPolicy.ofDefaults()),
        EventHandlers.builder().on(StockReleased.TYPE, (e, ctx) -> downstream.add(e.eventId())).build());
    broker.holdAcks(r -> followOnOf(r, "o-A")); // delivered downstream at once, never acknowledged upstream

    accepted(bus.publish(new OutOfStock(EventMetadata.first("o-A", null), "SKU", 1, 0)));
    await().atMost(WAIT).until(() -> downstream.size() == 1);
    broker.heal();
    broker.releaseAcks();

    await().atMost(WAIT).until(() -> log.contains("commit o-A-1"));
    assertThat(downstream).hasSize(1);
  }
}
