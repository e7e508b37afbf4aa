package dev.oms.broker.spi;

import dev.oms.OmsException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * An {@link EventBroker} that passes every call to another: extend it and override only what you
 * change (instrumenting sends, injecting faults, wrapping an adapter for a test).
 */
public abstract class ForwardingEventBroker implements EventBroker {
  private final EventBroker delegate;

  protected ForwardingEventBroker(EventBroker delegate) {
    if (delegate == null) {
      throw new OmsException(OmsException.Kind.CONFIGURATION, "a forwarding broker needs a delegate broker");
    }
    this.delegate = delegate;
  }

  /** The broker calls are passed to. */
  public EventBroker delegate() {
    return delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public BrokerCapabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public void start(BrokerContext context) {
    delegate.start(context);
  }

  @Override
  public CompletionStage<Void> send(BrokerRecord record) {
    return delegate.send(record);
  }

  @Override
  public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
    return delegate.subscribe(request, handler);
  }

  @Override
  public boolean close(Duration drainTimeout) {
    return delegate.close(drainTimeout);
  }
}
