package dev.oms.broker.spi;

import dev.oms.OmsException;
import dev.oms.codec.EventCodec;
import dev.oms.event.OrderEvent;
import java.util.concurrent.Executor;

/** The {@link BrokerContext} of a codec and a worker pool: what an event bus gives its adapter. */
final class CodecContext implements BrokerContext {
  private final EventCodec codec;
  private final Executor workers;

  CodecContext(EventCodec codec, Executor workers) {
    if (codec == null || workers == null) {
      throw new OmsException(OmsException.Kind.CONFIGURATION, "a broker context needs a codec and workers");
    }
    this.codec = codec;
    this.workers = workers;
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

  @Override
  public Executor workers() {
    return workers;
  }
}
