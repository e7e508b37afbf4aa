package dev.oms.broker.spi;

import dev.oms.codec.EventCodec;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * What the event bus gives an adapter when it starts it: the codec, for turning object-backed
 * records into bytes (the size limit is already enforced by {@link #encode}), and the bus's worker
 * threads, on which an adapter runs its deliveries (see {@link KeyedLanes}).
 */
public interface BrokerContext {

  /** The CloudEvents structured-mode JSON of the record (its body as-is if it already has one). */
  byte[] encode(BrokerRecord record);

  /**
   * The record in CloudEvents binary mode (attributes apart from the JSON data), for transports with
   * headers; the size limit is enforced as for {@link #encode}.
   */
  EventCodec.BinaryEvent encodeBinary(BrokerRecord record);

  /** The largest encoded record the bus accepts, in bytes. */
  int maxRecordBytes();

  /**
   * The bus's worker threads (one per core): run deliveries here rather than on threads of your
   * own, so busy threads never outnumber cores. Tasks must not block on I/O.
   */
  Executor workers();

  /**
   * The context an event bus with {@code codec} gives its adapter, for tools and test kits that
   * start an adapter without a bus; its workers are the common fork-join pool.
   */
  static BrokerContext of(EventCodec codec) {
    return of(codec, ForkJoinPool.commonPool());
  }

  /** The context of {@code codec} with {@code workers} as the worker threads. */
  static BrokerContext of(EventCodec codec, Executor workers) {
    return new CodecContext(codec, workers);
  }
}
