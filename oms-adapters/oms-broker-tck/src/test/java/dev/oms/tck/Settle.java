package dev.oms.tck;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.RecordHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** For the kit's own test brokers, which deliver one record at a time and wait for its outcome. */
final class Settle {
  private Settle() {}

  static final CompletionStage<Outcome> HANDLED = CompletableFuture.completedFuture(Outcome.HANDLED);

  /** Delivers and waits; throws when the outcome is not settled (the record must come again). */
  static void deliver(RecordHandler handler, BrokerRecord record) throws Exception {
    Outcome outcome = handler.deliver(record, DeliveryInfo.FIRST).toCompletableFuture().join();
    if (!outcome.isSettled()) {
      throw new IllegalStateException("not settled: " + outcome, outcome.cause());
    }
  }

  /** As {@link #deliver}, as a stage: a decorator's way of passing a record on after doing something first. */
  static CompletionStage<Outcome> pass(RecordHandler handler, BrokerRecord record) {
    return handler.deliver(record, DeliveryInfo.FIRST);
  }
}
