package dev.oms.broker.spi;

import dev.oms.codec.EventCodec;

/**
 * What the event bus gives an adapter when it starts it. Remote adapters use it to turn
 * object-backed records into bytes; the size limit is already enforced by {@link #encode}.
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
   * The context an event bus with {@code codec} gives its adapter, for tools and test kits that
   * start an adapter without a bus.
   */
  static BrokerContext of(EventCodec codec) {
    return new dev.oms.internal.CodecBrokerContext(codec);
  }
}
