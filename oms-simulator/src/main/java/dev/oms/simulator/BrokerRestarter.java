package dev.oms.simulator;

import dev.oms.broker.spi.EventBroker;
import java.time.Duration;
import java.util.ServiceLoader;

/**
 * The broker-restart fault's hook: restarts a running broker while the simulation keeps placing
 * orders. Brokers differ in how they restart (a local Kafka process, a container, nothing at all for
 * the in-memory broker), so the simulator asks the implementations of this interface on its class
 * path ({@link ServiceLoader}, {@code META-INF/services/dev.oms.simulator.BrokerRestarter}) which one
 * handles the broker in use; with none, a planned restart is skipped and the summary says so.
 *
 * <p>A restart should be what operations would see: the broker goes away (process stopped or
 * killed), stays down for {@code downtime}, and comes back with its durable state; the adapter is
 * expected to reconnect by itself. While it is down, publishes fail or wait and the delivery runtime
 * retries them, so a restart shorter than the retry budget (about 9 s with the simulator's policy)
 * loses nothing.
 */
public interface BrokerRestarter {

  /** Whether this restarter can restart {@code broker}, created by the provider named {@code providerName}. */
  boolean supports(String providerName, EventBroker broker);

  /**
   * Restarts {@code broker}: down for about {@code downtime}, then back. Called from a simulator
   * thread while orders keep arriving; returns when the broker is back (or throws if it could not
   * be restarted, which the run reports).
   */
  void restart(EventBroker broker, Duration downtime) throws Exception;

  /** The first restarter on the class path that supports {@code broker}, or null. */
  static BrokerRestarter find(String providerName, EventBroker broker) {
    for (BrokerRestarter r : ServiceLoader.load(BrokerRestarter.class, BrokerRestarter.class.getClassLoader())) {
      if (r.supports(providerName, broker)) {
        return r;
      }
    }
    return null;
  }
}
