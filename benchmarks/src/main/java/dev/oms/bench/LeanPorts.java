package dev.oms.bench;

import dev.oms.event.Address;
import dev.oms.event.Money;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderLine;
import dev.oms.event.PaymentMethod;
import dev.oms.port.InventoryStore;
import dev.oms.port.Notification;
import dev.oms.port.NotificationChannel;
import dev.oms.port.OrderStatus;
import dev.oms.port.OrderStore;
import dev.oms.port.OrderView;
import dev.oms.port.PaymentGateway;
import dev.oms.port.PaymentResult;
import dev.oms.port.Reservation;
import dev.oms.port.Warehouse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ports that keep no per-order state in this process, as when the state lives in a database the
 * pipeline calls: stock is one counter taken by compare-and-set, payments are approved, the
 * warehouse packs, notifications and the read model are counted. With them a pipeline benchmark
 * measures the events, the services and the broker, not the in-memory ports' maps (which keep
 * every order of the run and dominate otherwise). The payment ledger stays the default: it holds
 * orders in flight only.
 */
final class LeanPorts {
  private LeanPorts() {}

  static final class Inventory implements InventoryStore {
    private final AtomicLong units = new AtomicLong(Long.MAX_VALUE / 4);

    @Override
    public Reservation reserve(String orderId, List<OrderLine> lines) {
      long wanted = 0;
      for (int i = 0; i < lines.size(); i++) {
        wanted += lines.get(i).quantity();
      }
      while (true) {
        long available = units.get();
        if (available < wanted) {
          return new Reservation.Rejected(lines.get(0).sku(), (int) wanted, available);
        }
        if (units.compareAndSet(available, available - wanted)) {
          return new Reservation.Reserved(lines);
        }
      }
    }

    @Override
    public List<OrderLine> release(String orderId) {
      return List.of();
    }

    @Override
    public long available(String sku) {
      return units.get();
    }
  }

  static final class Payments implements PaymentGateway {
    private static final PaymentResult APPROVED = new PaymentResult.Approved("pay-bench");

    @Override
    public PaymentResult charge(String orderId, String idempotencyKey, Money amount, PaymentMethod method) {
      return APPROVED;
    }

    @Override
    public void refund(String orderId, String paymentId, Money amount) {}
  }

  static final class Shipping implements Warehouse {
    @Override
    public String pack(String shipmentId, List<OrderLine> lines, Address shipTo) {
      return "TRK-bench";
    }
  }

  static final class Notifications implements NotificationChannel {
    final LongAdder sent = new LongAdder();

    @Override
    public void send(Notification notification) {
      sent.increment();
    }
  }

  static final class Orders implements OrderStore {
    final LongAdder applied = new LongAdder();

    @Override
    public void apply(OrderEvent event) {
      applied.increment();
    }

    @Override
    public Optional<OrderView> find(String orderId) {
      return Optional.empty();
    }

    @Override
    public long count(OrderStatus status) {
      return 0;
    }
  }
}
