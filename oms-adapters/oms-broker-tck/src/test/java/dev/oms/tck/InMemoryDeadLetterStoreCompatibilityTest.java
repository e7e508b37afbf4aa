package dev.oms.tck;

import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.memory.InMemoryDeadLetterStore;

/**
 * The default dead-letter store passes the store kit. It is for one process, so the sharing rule is
 * skipped, with the reason in the report.
 */
class InMemoryDeadLetterStoreCompatibilityTest extends DeadLetterStoreCompatibilityKit {

  @Override
  protected DeadLetterStore createStore(String namespace) {
    return new InMemoryDeadLetterStore();
  }

  @Override
  protected Bounded createBoundedStore(String namespace) {
    return new Bounded(new InMemoryDeadLetterStore(8, InMemoryDeadLetterStore.DEFAULT_MAX_BYTES), 8);
  }
}
