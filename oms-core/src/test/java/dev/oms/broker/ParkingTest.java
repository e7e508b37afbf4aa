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
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.OutOfStock;
import dev.oms.memory.InMemoryBroker;
import dev.oms.memory.InMemoryDeadLetterStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-order ordering survives failures: once an event of an order is dead-lettered, that order's
 * later events wait behind it (parked) until it is redriven or discarded, while other orders flow.
 */
class ParkingTest {
  private static final String GROUP = "fulfillment";

  private final InMemoryBroker broker = InMemoryBroker.ofDefaults();
  private final EventBus bus = EventBus.builder().broker(broker).build();
  /** Sequence numbers that fail, per order ("A#1"). */
  private final Set<String> poison = ConcurrentHashMap.newKeySet();
  private final Map<String, List<Integer>> handled = new ConcurrentHashMap<>();

  @AfterEach
  void closeBus() {
    bus.close();
  }

  private void subscribe() {
    bus.subscribe(group(GROUP, 4, fastPolicy(2)), EventHandlers.builder()
        .on(OutOfStock.TYPE, (e, ctx) -> {
          if (poison.contains(e.orderId() + "#" + e.requested())) {
            throw new IllegalStateException("cannot handle " + e.orderId() + "#" + e.requested());
          }
          handled.computeIfAbsent(e.orderId(), k -> new CopyOnWriteArrayList<>()).add(e.requested());
        })
        .build());
  }

  private List<Integer> handledOf(String orderId) {
    return handled.getOrDefault(orderId, List.of());
  }

  private List<DeadLetter> entriesOf(String orderId) {
    return bus.deadLetters().list(GROUP).stream().filter(d -> orderId.equals(d.key())).collect(Collectors.toList());
  }

  /** Publishes A1 (fails), A2, A3, B1, B2; returns A's events; waits until A2 and A3 are parked. */
  private List<OutOfStock> blockOrderAWithTwoParked() {
    subscribe();
    poison.add("A#1");
    List<OutOfStock> a = List.of(seqEvent("A", 1), seqEvent("A", 2), seqEvent("A", 3));
    accepted(bus.publish(a.get(0)));
    await().atMost(WAIT).until(() -> bus.deadLetters().failures(GROUP).size() == 1);
    accepted(bus.publish(a.get(1)));
    accepted(bus.publish(seqEvent("B", 1)));
    accepted(bus.publish(a.get(2)));
    accepted(bus.publish(seqEvent("B", 2)));
    await().atMost(WAIT).until(() -> entriesOf("A").size() == 3 && handledOf("B").size() == 2);
    return a;
  }

  @Test
  void laterEventsOfADeadLetteredOrderAreParkedBehindItWhileOtherOrdersFlow() {
    List<OutOfStock> a = blockOrderAWithTwoParked();

    List<DeadLetter> entries = entriesOf("A");
    DeadLetter head = entries.get(0);
    assertThat(head.isFailure()).isTrue();
    assertThat(head.eventId()).isEqualTo(a.get(0).eventId());
    assertThat(entries.subList(1, 3)).allSatisfy(parked -> {
      assertThat(parked.isFailure()).isFalse();
      assertThat(parked.parkedBehind()).isEqualTo(head.id());
      assertThat(parked.attempts()).isZero();
      assertThat(parked.type()).isEqualTo(OutOfStock.TYPE.name());
      assertThat(parked.reason()).contains(head.id());
    });
    assertThat(entries.subList(1, 3)).extracting(DeadLetter::eventId)
        .containsExactly(a.get(1).eventId(), a.get(2).eventId());
    assertThat(bus.deadLetters().failures(GROUP)).containsExactly(head);
    assertThat(handledOf("A")).isEmpty();
    assertThat(handledOf("B")).containsExactly(1, 2);
    GroupMetrics m = bus.metrics(GROUP);
    assertThat(m.parked()).isEqualTo(2);
    assertThat(m.deadLettered()).isEqualTo(1);
    assertThat(m.handled()).isEqualTo(2);
  }

  @Test
  void redrivingTheHeadHandlesItAndTheParkedEventsInOrderAndUnblocksTheOrder() {
    blockOrderAWithTwoParked();
    DeadLetter head = bus.deadLetters().failures(GROUP).get(0);

    poison.clear();
    RedriveResult result = bus.deadLetters().redrive(head.id());

    assertThat(result.handled()).isTrue();
    assertThat(result.released()).isEqualTo(2);
    assertThat(result.orderUnblocked()).isTrue();
    assertThat(handledOf("A")).containsExactly(1, 2, 3);
    assertThat(bus.deadLetters().list()).isEmpty();
    assertThat(bus.metrics(GROUP).parked()).isZero();

    accepted(bus.publish(seqEvent("A", 4)));
    await().atMost(WAIT).until(() -> handledOf("A").size() == 4);
    assertThat(handledOf("A")).containsExactly(1, 2, 3, 4);
    assertThat(bus.deadLetters().list()).isEmpty();
  }

  @Test
  void discardingTheHeadHandlesTheParkedEventsInOrderWithoutIt() {
    blockOrderAWithTwoParked();
    DeadLetter head = bus.deadLetters().failures(GROUP).get(0);

    RedriveResult result = bus.deadLetters().discard(head.id());

    assertThat(result.handled()).isFalse();
    assertThat(result.released()).isEqualTo(2);
    assertThat(result.orderUnblocked()).isTrue();
    assertThat(handledOf("A")).containsExactly(2, 3);
    assertThat(bus.deadLetters().list()).isEmpty();

    accepted(bus.publish(seqEvent("A", 4)));
    await().atMost(WAIT).until(() -> handledOf("A").size() == 3);
    assertThat(handledOf("A")).containsExactly(2, 3, 4);
  }

  @Test
  void aParkedEntryCannotBeRedrivenOnItsOwn() {
    blockOrderAWithTwoParked();
    DeadLetter parked = entriesOf("A").get(1);

    assertThatThrownBy(() -> bus.deadLetters().redrive(parked.id()))
        .isInstanceOfSatisfying(OmsException.class, e -> {
          assertThat(e.kind()).isEqualTo(OmsException.Kind.REJECTED);
          assertThat(e.getMessage()).contains(parked.parkedBehind());
        });
    assertThat(entriesOf("A")).hasSize(3);
    assertThat(handledOf("A")).isEmpty();
  }

  @Test
  void discardingAParkedEntryDropsOnlyThatEvent() {
    blockOrderAWithTwoParked();
    DeadLetter head = entriesOf("A").get(0);
    DeadLetter parked2 = entriesOf("A").get(1);

    RedriveResult dropped = bus.deadLetters().discard(parked2.id());
    assertThat(dropped.handled()).isFalse();
    assertThat(entriesOf("A")).extracting(DeadLetter::id).doesNotContain(parked2.id()).hasSize(2);
    assertThat(bus.metrics(GROUP).parked()).isEqualTo(1);
    assertThat(handledOf("A")).isEmpty();

    poison.clear();
    RedriveResult result = bus.deadLetters().redrive(head.id());
    assertThat(result.released()).isEqualTo(1);
    assertThat(handledOf("A")).containsExactly(1, 3);
  }

  @Test
  void aParkedEventThatFailsOnReleaseBecomesTheNewHeadWithTheRestBehindIt() {
    poison.add("A#2");
    List<OutOfStock> a = blockOrderAWithTwoParked();
    DeadLetter head = bus.deadLetters().failures(GROUP).get(0);

    poison.remove("A#1");
    RedriveResult result = bus.deadLetters().redrive(head.id());

    assertThat(result.handled()).isTrue();
    assertThat(result.released()).isZero();
    assertThat(result.orderUnblocked()).isFalse();
    assertThat(result.reason()).contains("cannot handle A#2");
    assertThat(handledOf("A")).containsExactly(1);

    List<DeadLetter> entries = entriesOf("A");
    assertThat(entries).hasSize(2);
    DeadLetter newHead = entries.get(0);
    assertThat(newHead.id()).isEqualTo(result.stillDeadLetterId());
    assertThat(newHead.eventId()).isEqualTo(a.get(1).eventId());
    assertThat(newHead.isFailure()).isTrue();
    assertThat(newHead.attempts()).isEqualTo(2);
    assertThat(newHead.reason()).contains("cannot handle A#2");
    DeadLetter stillParked = entries.get(1);
    assertThat(stillParked.eventId()).isEqualTo(a.get(2).eventId());
    assertThat(stillParked.parkedBehind()).isEqualTo(newHead.id());
    GroupMetrics m = bus.metrics(GROUP);
    assertThat(m.deadLettered()).isEqualTo(2);
    assertThat(m.parked()).isEqualTo(1);

    // the order stays blocked behind the new head...
    accepted(bus.publish(seqEvent("A", 4)));
    await().atMost(WAIT).until(() -> entriesOf("A").size() == 3);
    assertThat(entriesOf("A").get(2).parkedBehind()).isEqualTo(newHead.id());

    // ...until it is redriven in turn
    poison.clear();
    RedriveResult second = bus.deadLetters().redrive(newHead.id());
    assertThat(second.orderUnblocked()).isTrue();
    assertThat(second.released()).isEqualTo(2);
    assertThat(handledOf("A")).containsExactly(1, 2, 3, 4);
    assertThat(bus.deadLetters().list()).isEmpty();
  }

  @Test
  void eventsArrivingWhileTheParkedOnesAreReleasedStillKeepTheOrder() throws Exception {
    blockOrderAWithTwoParked();
    DeadLetter head = bus.deadLetters().failures(GROUP).get(0);
    poison.clear();

    Thread publisher = new Thread(() -> {
      for (int seq = 4; seq <= 200; seq++) {
        accepted(bus.publish(seqEvent("A", seq)));
      }
    });
    publisher.start();
    bus.deadLetters().redrive(head.id());
    publisher.join(WAIT.toMillis());

    await().atMost(WAIT).until(() -> handledOf("A").size() == 200);
    List<Integer> expected = new ArrayList<>();
    for (int seq = 1; seq <= 200; seq++) {
      expected.add(seq);
    }
    assertThat(handledOf("A")).containsExactlyElementsOf(expected);
    assertThat(bus.deadLetters().list()).isEmpty();
    assertThat(bus.metrics(GROUP).parked()).isZero();
  }

  @Test
  void afterARestartWithTheSameDeadLetterStoreTheOrderStaysBlockedAndRedriveReleasesInOrder() {
    InMemoryDeadLetterStore durable = new InMemoryDeadLetterStore();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    AtomicBoolean down = new AtomicBoolean(true);
    EventHandlers handlers = EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      if (down.get() && e.requested() == 1) {
        throw new IllegalStateException("down");
      }
      seen.add(e.requested());
    }).build();
    try (EventBus before = EventBus.builder().deadLetterStore(durable).build()) {
      before.subscribe(group(GROUP, 1, fastPolicy(1)), handlers);
      accepted(before.publish(seqEvent("A", 1)));
      await().atMost(WAIT).until(() -> before.deadLetters().failures(GROUP).size() == 1);
      accepted(before.publish(seqEvent("A", 2)));
      await().atMost(WAIT).until(() -> before.deadLetters().list(GROUP).size() == 2);
    }

    try (EventBus after = EventBus.builder().deadLetterStore(durable).build()) {
      after.subscribe(group(GROUP, 1, fastPolicy(1)), handlers);
      assertThat(after.metrics(GROUP).parked()).isEqualTo(1);
      accepted(after.publish(seqEvent("A", 3)));
      await().atMost(WAIT).until(() -> after.deadLetters().list(GROUP).size() == 3);
      assertThat(seen).isEmpty();

      down.set(false);
      RedriveResult result = after.deadLetters().redrive(after.deadLetters().failures(GROUP).get(0).id());

      assertThat(result.released()).isEqualTo(2);
      assertThat(result.orderUnblocked()).isTrue();
      assertThat(seen).containsExactly(1, 2, 3);
      assertThat(after.deadLetters().list()).isEmpty();
    }
  }

  @Test
  void aRedeliveredCopyOfTheHeadParkedBehindItIsSkippedAsADuplicateOnRelease() {
    blockOrderAWithTwoParked();
    DeadLetter head = bus.deadLetters().failures(GROUP).get(0);
    OutOfStock headEvent = (OutOfStock) bus.deadLetters().event(head);
    accepted(bus.publish(headEvent)); // the broker delivers the failed event once more
    await().atMost(WAIT).until(() -> entriesOf("A").size() == 4);

    poison.clear();
    RedriveResult result = bus.deadLetters().redrive(head.id());

    assertThat(result.orderUnblocked()).isTrue();
    assertThat(handledOf("A")).containsExactly(1, 2, 3);
    assertThat(bus.metrics(GROUP).duplicatesSkipped()).isEqualTo(1);
    assertThat(bus.deadLetters().list()).isEmpty();
  }

  @Test
  void listenerIsToldAboutADuplicateSkippedOnRelease() {
    List<String> told = new CopyOnWriteArrayList<>();
    try (EventBus own = EventBus.builder().listener(new DeliveryListener() {
      @Override
      public void onDuplicate(String group, dev.oms.event.OrderEvent event) {
        told.add(event.eventId());
      }
    }).build()) {
      AtomicBoolean down = new AtomicBoolean(true);
      own.subscribe(group(GROUP, 1, fastPolicy(1)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
        if (down.get()) {
          throw new IllegalStateException("down");
        }
      }).build());
      OutOfStock event = seqEvent("A", 1);
      accepted(own.publish(event));
      await().atMost(WAIT).until(() -> own.deadLetters().failures(GROUP).size() == 1);
      accepted(own.publish(event));
      await().atMost(WAIT).until(() -> own.deadLetters().list(GROUP).size() == 2);
      down.set(false);

      own.deadLetters().redrive(own.deadLetters().failures(GROUP).get(0).id());

      assertThat(own.metrics(GROUP).duplicatesSkipped()).isEqualTo(1);
      assertThat(told).containsExactly(event.eventId());
    }
  }

  @Test
  void listenerIsToldWhenAReleasedParkedEventIsDeadLettered() {
    List<DeadLetter> told = new CopyOnWriteArrayList<>();
    try (EventBus own = EventBus.builder().listener(new DeliveryListener() {
      @Override
      public void onDeadLettered(DeadLetter deadLetter) {
        told.add(deadLetter);
      }
    }).build()) {
      Set<String> failing = ConcurrentHashMap.newKeySet();
      failing.add("A#1");
      failing.add("A#2");
      own.subscribe(group(GROUP, 1, fastPolicy(1)), EventHandlers.builder()
          .on(OutOfStock.TYPE, (e, ctx) -> {
            if (failing.contains(e.orderId() + "#" + e.requested())) {
              throw new IllegalStateException("cannot handle " + e.requested());
            }
          })
          .build());
      accepted(own.publish(seqEvent("A", 1)));
      accepted(own.publish(seqEvent("A", 2)));
      await().atMost(WAIT).until(() -> own.deadLetters().list(GROUP).size() == 2);
      failing.remove("A#1");

      RedriveResult result = own.deadLetters().redrive(own.deadLetters().failures(GROUP).get(0).id());

      assertThat(result.stillDeadLetterId()).isNotNull();
      assertThat(own.metrics(GROUP).deadLettered()).isEqualTo(2);
      assertThat(told).extracting(DeadLetter::id).contains(result.stillDeadLetterId());
    }
  }

  @Test
  void anUndecodableRecordOfABlockedOrderWaitsInLineInsteadOfOpeningASecondFailure() {
    blockOrderAWithTwoParked();
    DeadLetter head = bus.deadLetters().failures(GROUP).get(0);
    byte[] broken = ("{\"specversion\":\"1.0\",\"id\":\"x-1\",\"type\":\"" + OutOfStock.TYPE.name()
        + "\",\"subject\":\"A\", this is not json").getBytes(StandardCharsets.UTF_8);
    int before = bus.deadLetters().list(GROUP).size();
    accepted(broker.send(BrokerRecord.ofBytes(OutOfStock.TYPE.name(), null, Map.of(), broken)));
    await().atMost(WAIT).until(() -> bus.deadLetters().list(GROUP).size() == before + 1);

    DeadLetter parked = bus.deadLetters().list(GROUP).get(before);
    assertThat(parked.key()).isEqualTo("A");
    assertThat(parked.parkedBehind()).isEqualTo(head.id());
    assertThat(bus.deadLetters().failures(GROUP)).extracting(DeadLetter::id).containsExactly(head.id());
    assertThat(handledOf("A")).as("A2 and A3 must wait for A1").isEmpty();
  }
}
