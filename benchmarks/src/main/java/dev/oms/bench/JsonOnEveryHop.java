package dev.oms.bench;

import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A broker adapter that moves bytes, the way a remote adapter does, over the in-memory broker: every
 * send encodes the event as CloudEvents JSON (the bus's codec, through {@link BrokerContext}) and
 * every consumer group decodes its copy. Only the public SPI is used.
 */
final class JsonOnEveryHop implements EventBroker {
  private final EventBroker inner;
  private BrokerContext context;

  JsonOnEveryHop(EventBroker inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return inner.name() + "+json";
  }

  @Override
  public BrokerCapabilities capabilities() {
    return inner.capabilities().toBuilder().carriesObjects(false).build();
  }

  @Override
  public void start(BrokerContext context) {
    this.context = context;
    inner.start(context);
  }

  @Override
  public CompletionStage<Void> send(BrokerRecord record) {
    byte[] body = context.encode(record);
    return inner.send(BrokerRecord.ofBytes(record.type(), record.key(), record.headers(), body));
  }

  @Override
  public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
    return inner.subscribe(request, handler);
  }

  @Override
  public boolean close(Duration drainTimeout) {
    return inner.close(drainTimeout);
  }
}
