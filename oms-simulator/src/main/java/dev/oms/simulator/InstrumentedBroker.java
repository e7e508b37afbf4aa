package dev.oms.simulator;

import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.event.OrderEvent;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Wraps the chosen broker adapter (through the public SPI, as any integrator could) to time each
 * stage of an order when its event is sent, and to deliver a fraction of events twice: the second
 * copy is the same record with the same event id, sent right behind the first, which is what an
 * at-least-once broker does after a lost acknowledgement.
 */
final class InstrumentedBroker implements EventBroker {
  private final EventBroker delegate;
  private final double duplicates;
  private final long seed;
  private final Consumer<OrderEvent> onSent;
  final LongAdder duplicated = new LongAdder();

  InstrumentedBroker(EventBroker delegate, double duplicates, long seed, Consumer<OrderEvent> onSent) {
    this.delegate = delegate;
    this.duplicates = duplicates;
    this.seed = seed;
    this.onSent = onSent;
  }

  EventBroker delegate() {
    return delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public BrokerCapabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public void start(BrokerContext context) {
    delegate.start(context);
  }

  @Override
  public CompletionStage<Void> send(BrokerRecord record) {
    OrderEvent event = record.event();
    if (event != null) {
      onSent.accept(event);
    }
    CompletionStage<Void> sent = delegate.send(record);
    if (duplicates > 0 && event != null && chosen(event.eventId())) {
      duplicated.increment();
      try {
        delegate.send(record); // its outcome doesn't matter: the original is what was acknowledged
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

  @Override
  public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
    return delegate.subscribe(request, handler);
  }

  @Override
  public boolean close(Duration drainTimeout) {
    return delegate.close(drainTimeout);
  }
}
