package dev.oms.simulator;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.ForwardingEventBroker;
import dev.oms.event.OrderEvent;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Wraps the chosen broker adapter (through the public SPI, as any integrator could) to time each
 * stage of an order when its event is sent, and to deliver a fraction of events twice: the second
 * copy is the same record with the same event id, sent right behind the first, which is what an
 * at-least-once broker does after a lost acknowledgement.
 */
final class InstrumentedBroker extends ForwardingEventBroker {
  private final double duplicates;
  private final long seed;
  private final Consumer<OrderEvent> onSent;
  final LongAdder duplicated = new LongAdder();

  InstrumentedBroker(EventBroker delegate, double duplicates, long seed, Consumer<OrderEvent> onSent) {
    super(delegate);
    this.duplicates = duplicates;
    this.seed = seed;
    this.onSent = onSent;
  }





  @Override
  public CompletionStage<Void> send(BrokerRecord record) {
    OrderEvent event = record.event();
    if (event != null) {
      onSent.accept(event);
    }
    CompletionStage<Void> sent = delegate().send(record);
    if (duplicates > 0 && event != null && chosen(event.eventId())) {
      duplicated.increment();
      try {
        delegate().send(record); // its outcome doesn't matter: the original is what was acknowledged
      } catch (RuntimeException ignored) {
        // a refused duplicate is a duplicate that didn't happen
      }
    }
    return sent;
  }

  private boolean chosen(String eventId) {
    long h = FaultyPorts.mix(seed ^ eventId.hashCode() * 0x9E3779B97F4A7C15L);
    return (h >>> 11) * 0x1.0p-53 < duplicates;
  }


}
