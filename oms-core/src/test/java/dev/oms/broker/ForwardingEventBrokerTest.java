package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.ForwardingEventBroker;
import dev.oms.event.OutOfStock;
import dev.oms.memory.InMemoryBroker;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A wrapper that overrides one call leaves the broker working as before through every other. */
class ForwardingEventBrokerTest {

  @Test
  void aWrapperThatCountsSendsStillDeliversPausesAndCloses() {
    InMemoryBroker inner = InMemoryBroker.ofDefaults();
    AtomicInteger sends = new AtomicInteger();
    ForwardingEventBroker counting = new ForwardingEventBroker(inner) {
      @Override
      public CompletionStage<Void> send(BrokerRecord record) {
        sends.incrementAndGet();
        return super.send(record);
      }
    };
    List<OutOfStock> handled = new CopyOnWriteArrayList<>();
    try (EventBus bus = EventBus.builder().broker(counting).build()) {
      Subscription sub = bus.subscribe(ConsumerGroup.named("stock"),
          EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> handled.add(e)).build());
      assertThat(bus.brokerName()).isEqualTo(inner.name());
      assertThat(bus.capabilities()).isEqualTo(inner.capabilities());
      assertThat(counting.delegate()).isSameAs(inner);

      sub.pause();
      OutOfStock event = seqEvent("o-1", 1);
      accepted(bus.publish(event));
      assertThat(bus.metrics("stock").backlog()).isEqualTo(1);
      sub.resume();

      await().atMost(WAIT).until(() -> handled.size() == 1);
      assertThat(handled).containsExactly(event);
      assertThat(sends).hasValue(1);
    }
  }
}
