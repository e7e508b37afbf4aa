package dev.oms.port;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records which kinds of notification each order's customer received: one small bit set per
 * order, so a million orders cost a few dozen megabytes, not a list of messages each.
 */
public final class InMemoryNotificationChannel implements NotificationChannel {
  private final Map<String, Integer> kindsByOrder = new ConcurrentHashMap<>();
  private final LongAdder sent = new LongAdder();

  @Override
  public void send(Notification notification) {
    kindsByOrder.merge(notification.orderId(), notification.kind().bit(), (a, b) -> a | b);
    sent.increment();
  }

  /** The kinds of notification the order's customer received. */
  public Set<NotificationKind> kinds(String orderId) {
    Integer bits = kindsByOrder.get(orderId);
    EnumSet<NotificationKind> kinds = EnumSet.noneOf(NotificationKind.class);
    if (bits != null) {
      for (NotificationKind kind : NotificationKind.values()) {
        if ((bits & kind.bit()) != 0) {
          kinds.add(kind);
        }
      }
    }
    return kinds;
  }

  /** Notifications sent, duplicates included. */
  public long sent() {
    return sent.sum();
  }
}
