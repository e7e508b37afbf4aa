package dev.oms.memory;

import dev.oms.OmsException;
import dev.oms.broker.spi.BrokerProvider;
import dev.oms.broker.spi.EventBroker;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the in-memory broker by name {@code in-memory}. Options: {@code groupCapacity},
 * {@code threads}, {@code drainBatch}, {@code backpressure} ({@code block} or {@code fail-fast}),
 * {@code blockTimeoutMillis}.
 */
public final class InMemoryBrokerProvider implements BrokerProvider {

  @Override
  public String name() {
    return "in-memory";
  }

  @Override
  public EventBroker create(Map<String, String> options) {
    InMemoryBrokerConfig.Builder b = InMemoryBrokerConfig.builder();
    for (Map.Entry<String, String> option : options.entrySet()) {
      String value = option.getValue();
      switch (option.getKey()) {
        case "groupCapacity" -> b.groupCapacity(parseInt(option.getKey(), value));
        case "threads" -> b.threads(parseInt(option.getKey(), value));
        case "drainBatch" -> b.drainBatch(parseInt(option.getKey(), value));
        case "blockTimeoutMillis" -> b.blockTimeout(Duration.ofMillis(parseInt(option.getKey(), value)));
        case "backpressure" -> b.backpressure(switch (value.toLowerCase(Locale.ROOT)) {
          case "block" -> BackpressurePolicy.BLOCK;
          case "fail-fast" -> BackpressurePolicy.FAIL_FAST;
          default -> throw new OmsException(OmsException.Kind.CONFIGURATION,
              "backpressure must be 'block' or 'fail-fast', was '" + value + "'");
        });
        default -> throw new OmsException(OmsException.Kind.CONFIGURATION, "unknown in-memory broker option '"
            + option.getKey() + "'; known: groupCapacity, threads, drainBatch, backpressure, blockTimeoutMillis");
      }
    }
    return InMemoryBroker.create(b.build());
  }

  private static int parseInt(String key, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new OmsException(OmsException.Kind.CONFIGURATION, key + " must be an integer, was '" + value + "'");
    }
  }
}
