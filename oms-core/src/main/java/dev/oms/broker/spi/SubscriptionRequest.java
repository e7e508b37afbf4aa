package dev.oms.broker.spi;

import dev.oms.OmsException;
import java.util.Set;

/**
 * What the bus asks an adapter to subscribe: a consumer group, the event types it wants, and how
 * many records of different keys it may handle at once.
 */
public record SubscriptionRequest(String group, Set<String> types, int concurrency) {
  public SubscriptionRequest {
    if (group == null || group.isBlank()) {
      throw invalid("consumer group name must not be blank");
    }
    if (types == null || types.isEmpty()) {
      throw invalid("group " + group + " subscribes to no event type");
    }
    types = Set.copyOf(types);
    if (concurrency < 1) {
      throw invalid("group " + group + ": concurrency must be >= 1, was " + concurrency);
    }
  }

  private static OmsException invalid(String message) {
    return new OmsException(OmsException.Kind.CONFIGURATION, message);
  }
}
