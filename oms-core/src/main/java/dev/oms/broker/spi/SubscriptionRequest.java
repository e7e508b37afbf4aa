package dev.oms.broker.spi;

import dev.oms.internal.Require;
import java.util.Set;

/**
 * What the bus asks an adapter to subscribe: a consumer group, the event types it wants, and how
 * many records of different keys it may handle at once.
 */
public record SubscriptionRequest(String group, Set<String> types, int concurrency) {
  public SubscriptionRequest {
    Require.configCheck(group != null && !group.isBlank(), "consumer group name must not be blank");
    Require.configCheck(types != null && !types.isEmpty(), "group " + group + " subscribes to no event type");
    types = Set.copyOf(types);
    Require.configCheck(concurrency >= 1, "group " + group + ": concurrency must be >= 1, was " + concurrency);
  }
}
