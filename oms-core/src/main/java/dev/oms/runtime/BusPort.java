package dev.oms.runtime;

import dev.oms.broker.DeliveryListener;
import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.broker.spi.IdempotencyStore;
import dev.oms.broker.spi.UnitOfWork;
import dev.oms.codec.EventCodec;
import dev.oms.event.OrderEvent;
import java.util.concurrent.CompletionStage;

/** What a consumer group's runtime needs from the bus that owns it. */
public interface BusPort {

  /** Sends a follow-on event; allowed while the bus drains on close. */
  CompletionStage<Void> send(OrderEvent event);

  /** Decodes records received as bytes, with the configured size limit. */
  EventCodec codec();

  /** Encodes and decodes dead letters: same registry, no size limit, so any event can be stored. */
  EventCodec storageCodec();

  DeadLetterStore deadLetterStore();

  IdempotencyStore idempotencyStore();

  UnitOfWork unitOfWork();

  /** The listener, already wrapped so that it never throws. */
  DeliveryListener listener();

  RuntimeThreads threads();

  /** True once the bus is closing: transient failures then end as retry-later instead of waiting. */
  boolean closing();
}
