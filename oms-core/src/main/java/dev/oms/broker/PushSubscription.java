package dev.oms.broker;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.Outcome;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A consumer group fed by a platform that pushes batches (an AWS Lambda function triggered by a
 * queue) instead of a broker the bus pulls from: each invocation hands its batch to
 * {@link #deliver} and answers the platform with the per-record outcomes (for SQS, the records that
 * are not {@link Outcome#isSettled() settled} are the batch item failures). Created by
 * {@link EventBus#subscribePush}.
 *
 * <p>Records of one order in a batch are handled one at a time in batch order; when one of them
 * ends {@code RETRY_LATER}, the ones behind it do too (a FIFO queue redelivers them in order).
 * Retries wait on a timer, never past the records' deadline (the invocation's remaining time): a
 * retry that does not fit ends {@code RETRY_LATER} so the platform redelivers instead of billing a
 * sleeping invocation.
 */
public interface PushSubscription extends Subscription {

  /** Delivers a pushed batch; the stage completes with one outcome per record, in the batch's order. */
  CompletionStage<List<Outcome>> deliver(List<Pushed> batch);

  /** One pushed record and what the platform says of its delivery (its receive count, the deadline). */
  record Pushed(BrokerRecord record, DeliveryInfo info) {
    public Pushed {
      if (record == null || info == null) {
        throw new IllegalArgumentException("a pushed record needs a record and its delivery info");
      }
    }
  }
}
