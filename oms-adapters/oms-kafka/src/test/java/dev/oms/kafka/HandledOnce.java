package dev.oms.kafka;

import dev.oms.broker.DeliveryListener;
import dev.oms.event.OrderEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counts how often each service handled each event id, and the redeliveries dedup skipped. */
final class HandledOnce implements DeliveryListener {
  private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
  final LongAdder duplicatesSkipped = new LongAdder();

  @Override
  public void onHandled(String group, OrderEvent event, int attempt, long nanos) {
    handled.computeIfAbsent(group + " " + event.eventId(), k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void onDuplicate(String group, OrderEvent event) {
    duplicatesSkipped.increment();
  }

  /** "group eventId" of every event a service handled more than once. */
  Map<String, Integer> handledMoreThanOnce() {
    Map<String, Integer> twice = new ConcurrentHashMap<>();
    handled.forEach((key, count) -> {
      if (count.get() > 1) {
        twice.put(key, count.get());
      }
    });
    return twice;
  }

  int handledEvents() {
    return handled.size();
  }
}
