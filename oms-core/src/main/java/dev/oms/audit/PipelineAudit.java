package dev.oms.audit;

import dev.oms.port.InMemoryInventory;
import dev.oms.port.InMemoryNotificationChannel;
import dev.oms.port.InMemoryOrderStore;
import dev.oms.port.InMemoryPaymentGateway;
import dev.oms.port.NotificationKind;
import dev.oms.port.OrderStatus;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the pipeline's invariants against the in-memory ports after a run: used by the
 * property-based tests and the simulator, so both judge a run by the same rules.
 */
public final class PipelineAudit {
  /** How many offending ids a report lists per rule. */
  public static final int MAX_EXAMPLES = 20;

  private static final Set<NotificationKind> FULFILLED_STEPS = EnumSet.of(NotificationKind.ORDER_RECEIVED,
      NotificationKind.PAYMENT_CONFIRMED, NotificationKind.SHIPPED, NotificationKind.ORDER_COMPLETED);
  private static final Set<NotificationKind> CANCELLED_STEPS =
      EnumSet.of(NotificationKind.ORDER_RECEIVED, NotificationKind.ORDER_CANCELLED);

  private final InMemoryOrderStore orders;
  private final InMemoryInventory inventory;
  private final InMemoryPaymentGateway payments;
  private final InMemoryNotificationChannel notifications;

  public PipelineAudit(InMemoryOrderStore orders, InMemoryInventory inventory, InMemoryPaymentGateway payments,
      InMemoryNotificationChannel notifications) {
    this.orders = orders;
    this.inventory = inventory;
    this.payments = payments;
    this.notifications = notifications;
  }

  /** Audits the given accepted orders (and all SKUs and charges). */
  public AuditReport audit(Iterable<String> acceptedOrderIds) {
    Violations notTerminal = new Violations();
    Violations doubleCharged = new Violations();
    Violations unrefunded = new Violations();
    Violations unpaid = new Violations();
    Violations stockHeld = new Violations();
    Violations unnotified = new Violations();
    long accepted = 0;
    long fulfilled = 0;
    long cancelled = 0;
    for (String orderId : acceptedOrderIds) {
      accepted++;
      OrderStatus status = orders.status(orderId).orElse(null);
      int captures = payments.captures(orderId);
      if (captures > 1) {
        doubleCharged.add(orderId);
      }
      Set<NotificationKind> told = notifications.kinds(orderId);
      if (status == OrderStatus.FULFILLED) {
        fulfilled++;
        if (captures == 0 || payments.refunded(orderId)) {
          unpaid.add(orderId);
        }
        if (!told.containsAll(FULFILLED_STEPS)) {
          unnotified.add(orderId);
        }
      } else if (status == OrderStatus.CANCELLED) {
        cancelled++;
        if (captures > 0 && !payments.refunded(orderId)) {
          unrefunded.add(orderId);
        }
        if (inventory.holdsReservation(orderId)) {
          stockHeld.add(orderId);
        }
        boolean refundTold = !payments.refunded(orderId) || told.contains(NotificationKind.REFUND_ISSUED);
        if (!told.containsAll(CANCELLED_STEPS) || !refundTold) {
          unnotified.add(orderId);
        }
      } else {
        notTerminal.add(orderId + (status == null ? " (unknown)" : " (" + status + ")"));
      }
    }
    Violations oversold = new Violations();
    Map<String, Long> held = inventory.reservedUnits();
    for (Map.Entry<String, Long> sku : inventory.initialStock().entrySet()) {
      long available = inventory.available(sku.getKey());
      long reserved = held.getOrDefault(sku.getKey(), 0L);
      if (available < 0 || reserved > sku.getValue() || available + reserved != sku.getValue()) {
        oversold.add(sku.getKey() + " (initial " + sku.getValue() + ", held " + reserved + ", available "
            + available + ")");
      }
    }
    return new AuditReport(accepted, fulfilled, cancelled, notTerminal.count, notTerminal.examples,
        oversold.count, oversold.examples, doubleCharged.count, doubleCharged.examples, unrefunded.count,
        unrefunded.examples, unpaid.count, unpaid.examples, stockHeld.count, stockHeld.examples, unnotified.count,
        unnotified.examples);
  }

  private static final class Violations {
    long count;
    final List<String> examples = new ArrayList<>();

    void add(String id) {
      count++;
      if (examples.size() < MAX_EXAMPLES) {
        examples.add(id);
      }
    }
  }
}
