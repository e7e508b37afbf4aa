package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.refusal;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.OmsException;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.OutOfStock;
import dev.oms.memory.InMemoryDeadLetterStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The in-memory dead-letter store is bounded by count and bytes: a misbehaving producer cannot
 * exhaust the heap, and what the store refuses is refused to its publisher or left to be delivered
 * again, never dropped.
 */
class DeadLetterBoundsTest {

  /** Counts refusals the way a metrics binding would. */
  static final class Refusals implements DeliveryListener {
    final AtomicInteger count = new AtomicInteger();

    @Override
    public void onDeadLetterRefused(String group, String eventId, Throwable cause) {
      count.incrementAndGet();
    }
  }

  @Test
  void twentyThousandMalformed200KbRecordsAtIngressStopAtTheStoresByteBoundAndTheRestAreRefusedToThePublisher() {
    InMemoryDeadLetterStore store = new InMemoryDeadLetterStore();
    Refusals refusals = new Refusals();
    byte[] garbage = new byte[200 * 1024];
    Arrays.fill(garbage, (byte) 'x');
    garbage[0] = '{';
    int stored = 0;
    int refused = 0;
    try (EventBus bus = EventBus.builder().deadLetterStore(store).listener(refusals).build()) {
      for (int i = 0; i < 20_000; i++) {
        OmsException e = refusal(bus.publishEncoded(garbage));
        assertThat(e.kind()).isEqualTo(OmsException.Kind.MALFORMED_EVENT);
        if (e.getMessage().contains("stored as dead letter")) {
          stored++;
        } else {
          assertThat(e.getMessage()).contains("not stored").contains("dead-letter store is full");
          refused++;
        }
      }
    }
    assertThat(store.bytes()).as("bytes kept").isLessThanOrEqualTo(InMemoryDeadLetterStore.DEFAULT_MAX_BYTES);
    assertThat(store.size()).as("dead letters kept").isEqualTo(stored).isLessThan(1_000);
    assertThat(refused).as("refused to the publisher, each with the reason").isEqualTo(20_000 - stored);
    assertThat(store.refusals()).isEqualTo(refused);
    assertThat(refusals.count).as("refusals the listener saw").hasValue(refused);
  }

  @Test
  void aRecordFailingWhileTheStoreIsFullWaitsOnTheBrokerAndIsDeadLetteredOnceThereIsRoom() {
    InMemoryDeadLetterStore store = new InMemoryDeadLetterStore(1, Long.MAX_VALUE);
    AtomicInteger calls = new AtomicInteger();
    try (EventBus bus = EventBus.builder().deadLetterStore(store).build()) {
      byte[] filler = "{\"not\":\"an event\"}".getBytes(StandardCharsets.UTF_8);
      refusal(bus.publishEncoded(filler)); // the only slot is taken
      DeadLetter fillerLetter = store.list().get(0);
      bus.subscribe(group("g", 1, fastPolicy(2)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
        calls.incrementAndGet();
        throw new IllegalStateException("poison");
      }).build());
      OutOfStock poison = seqEvent("o-1", 1);

      accepted(bus.publish(poison));

      await().atMost(WAIT).until(() -> bus.metrics("g").deadLettersRefused() >= 2);
      assertThat(bus.deadLetters().failures("g")).as("nothing dropped, nothing stored yet").isEmpty();
      assertThat(bus.metrics("g").inFlight()).as("the record waits, unsettled").isEqualTo(1);
      assertThat(calls).as("the handler is not run again while the dead letter waits for room").hasValue(2);

      bus.deadLetters().discard(fillerLetter.id());

      await().atMost(WAIT).until(() -> bus.deadLetters().failures("g").size() == 1);
      assertThat(bus.deadLetters().failures("g").get(0).eventId()).isEqualTo(poison.eventId());
      assertThat(bus.metrics("g").inFlight()).isZero();
      assertThat(calls).hasValue(2);
    }
  }
}
