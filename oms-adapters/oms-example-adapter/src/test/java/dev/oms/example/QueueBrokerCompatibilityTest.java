package dev.oms.example;

import dev.oms.broker.spi.EventBroker;
import dev.oms.tck.BrokerCompatibilityKit;

/** The example adapter passes the broker test kit: this one class runs every rule against it. */
class QueueBrokerCompatibilityTest extends BrokerCompatibilityKit {

  /** A bus on this broker may serve a pushed group (a function's queue trigger): the push tier runs. */
  @Override
  protected boolean runsPushTier() {
    return true;
  }

  @Override
  protected EventBroker createBroker(String namespace) {
    return QueueBroker.ofDefaults(); // in-process: every instance is its own broker, so the namespace is not needed
  }
}
