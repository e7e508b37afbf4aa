package dev.oms.broker.spi;

import java.util.Map;

/**
 * Lets tools such as the simulator find adapters on the class path with
 * {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/dev.oms.broker.spi.BrokerProvider}.
 */
public interface BrokerProvider {

  /** The name users pick the broker by, e.g. {@code in-memory} or {@code kafka}. */
  String name();

  /** Creates a broker from string options (adapter-specific keys, documented by the adapter). */
  EventBroker create(Map<String, String> options);
}
