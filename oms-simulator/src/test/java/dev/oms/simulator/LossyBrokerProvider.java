package dev.oms.simulator;

import dev.oms.broker.spi.BrokerProvider;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.ForwardingEventBroker;
import dev.oms.event.ShipmentProcessed;
import dev.oms.memory.InMemoryBroker;
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
    return new ForwardingEventBroker(InMemoryBroker.ofDefaults()) {
      @Override
      public String name() {
        return NAME;
      }



      @Override
      public CompletionStage<Void> send(BrokerRecord record) {
        if (ShipmentProcessed.TYPE.name().equals(record.type()) && OrderGenerator.sequenceOf(record.key()) % 10 == 0) {
          return CompletableFuture.completedFuture(null);
        }
        return super.send(record);
      }


    };
  }
}
