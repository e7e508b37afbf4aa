package dev.oms.example;

import dev.oms.OmsException;
import dev.oms.broker.spi.BrokerProvider;
import dev.oms.broker.spi.EventBroker;
import java.time.Duration;
import java.util.Map;

/**
 * Finds the example broker by name {@code example-queue} (listed in
 * {@code META-INF/services/dev.oms.broker.spi.BrokerProvider}). Options, all optional:
 * {@code queueCapacity}, {@code offerTimeoutMillis}, {@code redeliveryPauseMillis}, {@code maxRecordBytes}.
 */
public final class QueueBrokerProvider implements BrokerProvider {

  @Override
  public String name() {
    return "example-queue";
  }

  @Override
  public EventBroker create(Map<String, String> options) {
    for (String key : options.keySet()) {
      if (!key.matches("queueCapacity|offerTimeoutMillis|redeliveryPauseMillis|maxRecordBytes")) {
        throw new OmsException(OmsException.Kind.CONFIGURATION, "unknown example-queue option '" + key
            + "'; known: queueCapacity, offerTimeoutMillis, redeliveryPauseMillis, maxRecordBytes");
      }
    }
    return new QueueBroker(intOption(options, "queueCapacity", 10_000),
        Duration.ofMillis(intOption(options, "offerTimeoutMillis", 5_000)),
        Duration.ofMillis(intOption(options, "redeliveryPauseMillis", 100)),
        intOption(options, "maxRecordBytes", 1024 * 1024));
  }

  private static int intOption(Map<String, String> options, String key, int defaultValue) {
    String value = options.get(key);
    try {
      return value == null ? defaultValue : Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new OmsException(OmsException.Kind.CONFIGURATION, key + " must be an integer, was '" + value + "'");
    }
  }
}
