package dev.oms.simulator;

import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerProvider;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.event.ShipmentProcessed;
import dev.oms.memory.InMemoryBroker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A broken broker for tests, {@code test-lossy}: the in-memory broker, except that it accepts and
 * silently drops {@code ShipmentProcessed} of every tenth order, so those orders never finish.
 */
public final class LossyBrokerProvider implements BrokerProvider {
  static final String NAME = "test-lossy";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public EventBroker create(Map<String, String> options) {
    InMemoryBroker delegate = InMemoryBroker.ofDefaults();
    return new EventBroker() {
      @Override
      public String name() {
        return NAME;
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
        if (ShipmentProcessed.TYPE.name().equals(record.type()) && OrderGenerator.sequenceOf(record.key()) % 10 == 0) {
          return CompletableFuture.completedFuture(null);
        }
        return delegate.send(record);
      }

      @Override
      public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
        return delegate.subscribe(request, handler);
      }

      @Override
      public boolean close(Duration drainTimeout) {
        return delegate.close(drainTimeout);
      }
    };
  }
}
