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

  /** A bus on this broker may serve a pushed group (a function's queue trigger): the push tier runs. */
  @Override
  protected boolean runsPushTier() {
    return true;
  }

  @Override
  protected EventBroker createBroker(String namespace) {
    // At least two pool threads even on a one-core machine: the competing-consumers rule checks
    // that records of different keys are handled at the same time.
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    return InMemoryBroker.create(InMemoryBrokerConfig.builder().threads(threads).build());
  }
}
