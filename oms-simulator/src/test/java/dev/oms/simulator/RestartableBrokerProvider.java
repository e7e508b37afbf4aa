package dev.oms.simulator;

import dev.oms.broker.spi.BrokerProvider;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.ForwardingEventBroker;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.memory.InMemoryBroker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A broker for tests, {@code test-restartable}: the in-memory broker behind a switch. While it is
 * "down", nothing is delivered and sends wait (as a Kafka producer buffers while the cluster is
 * away), then go out in order when it is back. {@link Restarter} is its {@link BrokerRestarter}.
 */
public final class RestartableBrokerProvider implements BrokerProvider {
  static final String NAME = "test-restartable";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public EventBroker create(Map<String, String> options) {
    return new Broker(InMemoryBroker.ofDefaults());
  }

  static final class Broker extends ForwardingEventBroker {
    private final List<BrokerSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Object[]> held = new ArrayDeque<>();
    private boolean down;
    volatile int restarts;

    Broker(InMemoryBroker delegate) {
      super(delegate);
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public CompletionStage<Void> send(BrokerRecord record) {
      synchronized (held) {
        if (down) {
          CompletableFuture<Void> f = new CompletableFuture<>();
          held.add(new Object[] {record, f});
          return f;
        }
      }
      return super.send(record);
    }

    @Override
    public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
      BrokerSubscription s = super.subscribe(request, handler);
      subscriptions.add(s);
      return s;
    }

    @SuppressWarnings("unchecked")
    void restart(Duration downtime) throws InterruptedException {
      synchronized (held) {
        down = true;
      }
      subscriptions.forEach(BrokerSubscription::pause);
      Thread.sleep(downtime.toMillis());
      synchronized (held) {
        Object[] next;
        while ((next = held.poll()) != null) {
          CompletableFuture<Void> f = (CompletableFuture<Void>) next[1];
          super.send((BrokerRecord) next[0]).whenComplete((v, e) -> {
            if (e != null) {
              f.completeExceptionally(e);
            } else {
              f.complete(null);
            }
          });
        }
        down = false;
      }
      subscriptions.forEach(BrokerSubscription::resume);
      restarts++;
    }
  }

  /** Restarts {@code test-restartable} brokers. */
  public static final class Restarter implements BrokerRestarter {
    @Override
    public boolean supports(String providerName, EventBroker broker) {
      return broker instanceof Broker;
    }

    @Override
    public void restart(EventBroker broker, Duration downtime) throws Exception {
      ((Broker) broker).restart(downtime);
    }
  }
}
