package dev.oms.simulator;

import dev.oms.broker.spi.BrokerProvider;
import dev.oms.broker.spi.EventBroker;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The broker adapters on the class path, by name ({@link BrokerProvider} through {@link ServiceLoader}). */
final class Brokers {
  private Brokers() {}

  /** Thrown for a broker name no provider answers to; the message lists the known names. */
  static final class UnknownBrokerException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UnknownBrokerException(String message) {
      super(message);
    }
  }

  static Map<String, BrokerProvider> providers() {
    Map<String, BrokerProvider> byName = new TreeMap<>();
    for (BrokerProvider provider : ServiceLoader.load(BrokerProvider.class, Brokers.class.getClassLoader())) {
      byName.putIfAbsent(provider.name(), provider);
    }
    return byName;
  }

  static List<String> knownNames() {
    return List.copyOf(providers().keySet());
  }

  /** The provider named {@code name}. */
  static BrokerProvider find(String name) {
    Map<String, BrokerProvider> providers = providers();
    BrokerProvider provider = providers.get(name);
    if (provider == null) {
      throw new UnknownBrokerException("unknown broker '" + name + "'; known brokers: "
          + (providers.isEmpty() ? "(none on the class path)" : String.join(", ", providers.keySet())));
    }
    return provider;
  }

  static EventBroker create(String name, Map<String, String> options) {
    return find(name).create(options);
  }
}
