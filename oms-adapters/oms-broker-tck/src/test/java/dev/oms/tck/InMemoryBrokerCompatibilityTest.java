package dev.oms.tck;

import dev.oms.broker.spi.EventBroker;
import dev.oms.memory.InMemoryBroker;
import dev.oms.memory.InMemoryBrokerConfig;

/**
 * The embedded broker passes the kit: the reference run of the required tier in every build. It
 * is in-process and not durable, so the optional tier and the rules about several instances are
 * skipped, with the reason in the report.
 */
class InMemoryBrokerCompatibilityTest extends BrokerCompatibilityKit {

  @Override
  protected EventBroker createBroker(String namespace) {
    // At least two pool threads even on a one-core machine: the competing-consumers rule checks
    // that records of different keys are handled at the same time.
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    return InMemoryBroker.create(InMemoryBrokerConfig.builder().threads(threads).build());
  }
}
