package dev.oms.internal;

import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.codec.EventCodec;
import dev.oms.event.OrderEvent;

/** The {@link BrokerContext} of a codec: what an event bus gives its adapter. */
public final class CodecBrokerContext implements BrokerContext {
  private final EventCodec codec;

  public CodecBrokerContext(EventCodec codec) {
    this.codec = Require.nonNull(codec, "codec");
  }

  @Override
  public byte[] encode(BrokerRecord record) {
    return record.body() != null && !record.isBinary() ? record.body() : codec.encode(eventOf(record));
  }

  @Override
  public EventCodec.BinaryEvent encodeBinary(BrokerRecord record) {
    return codec.encodeBinary(eventOf(record));
  }

  private OrderEvent eventOf(BrokerRecord record) {
    if (record.event() != null) {
      return record.event();
    }
    return record.isBinary() ? codec.decodeBinary(record.headers(), record.body()) : codec.decode(record.body());
  }

  @Override
  public int maxRecordBytes() {
    return codec.maxEventBytes();
  }
}
