package dev.oms.simulator;

import dev.oms.broker.spi.EventBroker;
import dev.oms.kafka.local.LocalKafkaCluster;
import java.time.Duration;

/** Restarts the Kafka the simulator started itself: every node stopped, down for the window, started again. */
public final class LocalKafkaRestarter implements BrokerRestarter {

  @Override
  public boolean supports(String providerName, EventBroker broker) {
    return LocalKafka.NAME.equals(providerName) && LocalKafka.running() != null;
  }

  @Override
  public void restart(EventBroker broker, Duration downtime) throws InterruptedException {
    LocalKafkaCluster cluster = LocalKafka.running();
    if (cluster == null) {
      throw new IllegalStateException("the local Kafka is gone");
    }
    for (int node : cluster.nodeIds()) {
      cluster.stop(node);
    }
    Thread.sleep(downtime.toMillis()); // the outage itself
    for (int node : cluster.nodeIds()) {
      cluster.restart(node);
    }
  }
}
