package dev.oms.port;

import java.time.Instant;
import java.util.List;

/** The status and timeline of one order, as the read model answers it. */
public record OrderView(String orderId, OrderStatus status, List<TimelineEntry> timeline) {

  /** One event in the order's life. */
  public record TimelineEntry(String eventType, Instant occurredAt) {}

  public OrderView {
    timeline = List.copyOf(timeline);
  }
}
