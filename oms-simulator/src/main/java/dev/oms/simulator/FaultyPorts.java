package dev.oms.simulator;

import dev.oms.OmsService;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Port wrappers that inject the load model's and the fault plan's behaviour exactly where an
 * integrator's own adapters sit: payment latency, the warehouse's packing capacity, slow calls and
 * failing calls. Failures are injected once per call key (the retry succeeds), at a deterministic
 * choice of keys for a seed, and half of them after the real call went through (a lost reply),
 * which is what makes idempotency matter.
 */
final class FaultyPorts {
  private FaultyPorts() {}

  /** Thrown by a port whose call failed on purpose. */
  static final class InjectedFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFault(String message) {
      super(message, null, false, false);
    }
  }

  /** Per service: slowness windows and a failure rate, against the run clock. */
  static final class Chaos {
    private final String port;
    private final RunClock clock;
    private final List<FaultPlan.Slow> slow;
    private final double errorRate;
    private final long seed;
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    final LongAdder injected = new LongAdder();

    Chaos(String port, OmsService service, FaultPlan plan, RunClock clock, long seed) {
      this.port = port;
      this.clock = clock;
      this.slow = plan.slow(service);
      this.errorRate = plan.errorRate(service);
      this.seed = seed ^ service.ordinal() * 0x9E3779B97F4A7C15L;
    }

    boolean active() {
      return !slow.isEmpty() || errorRate > 0;
    }

    /** Waits out any slowness in force now. */
    void delay() {
      if (slow.isEmpty()) {
        return;
      }
      double f = clock.fraction();
      for (FaultPlan.Slow s : slow) {
        if (f >= s.from() && f < s.to()) {
          RunClock.pause(s.delayNanos());
        }
      }
    }

    /** 0: no failure for this call; 1: fail before the call; 2: fail after it. Each key fails at most once. */
    int failure(String key) {
      if (errorRate <= 0) {
        return 0;
      }
      long h = mix(seed ^ key.hashCode() * 0xC2B2AE3D27D4EB4FL);
      double u = (h >>> 11) * 0x1.0p-53;
      if (u >= errorRate || !failed.add(key)) {
        return 0;
      }
      injected.increment();
      return (h & 1) == 0 ? 1 : 2;
    }

    InjectedFault fault(String what) {
      return new InjectedFault("injected fault: " + port + " " + what + " failed");
    }
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Payment latency (exponential around a mean), slowness and failures around a gateway. */
  static final class Payments implements PaymentGateway {
    private final PaymentGateway delegate;
    private final long meanLatencyNanos;
    private final Chaos chaos;

    Payments(PaymentGateway delegate, long meanLatencyNanos, Chaos chaos) {
      this.delegate = delegate;
      this.meanLatencyNanos = meanLatencyNanos;
      this.chaos = chaos;
    }

    private void latency() {
      if (meanLatencyNanos > 0) {
        double u = ThreadLocalRandom.current().nextDouble();
        RunClock.pause((long) (-Math.log(1 - u) * meanLatencyNanos));
      }
      chaos.delay();
    }

    @Override
    public PaymentResult charge(String orderId, String idempotencyKey, Money amount, PaymentMethod method) {
      latency();
      int failure = chaos.failure("charge:" + idempotencyKey);
      if (failure == 1) {
        throw chaos.fault("charge");
      }
      PaymentResult result = delegate.charge(orderId, idempotencyKey, amount, method);
      if (failure == 2) {
        throw chaos.fault("charge reply");
      }
      return result;
    }

    @Override
    public void refund(String orderId, String paymentId, Money amount) {
      latency();
      int failure = chaos.failure("refund:" + paymentId);
      if (failure == 1) {
        throw chaos.fault("refund");
      }
      delegate.refund(orderId, paymentId, amount);
      if (failure == 2) {
        throw chaos.fault("refund reply");
      }
    }
  }

  /**
   * The warehouse: packs at most a given number of shipments per second (each pack waits for its
   * slot), with slowness and failures; counts the units it ships per SKU so that overselling is
   * caught by what physically left the building, whatever the inventory port claims.
   */
  static final class Packing implements Warehouse {
    private final Warehouse delegate;
    private final long intervalNanos;
    private final long burstNanos;
    private final Chaos chaos;
    private final AtomicLong nextSlot = new AtomicLong(Long.MIN_VALUE);
    private final Map<String, AtomicLong> shipped = new HashMap<>();
    private final Map<String, Long> stock;
    private final SeqBits packedOrders = new SeqBits();
    private final Set<String> packedOther = ConcurrentHashMap.newKeySet();
    private final List<String> oversoldOrders = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder oversoldCount = new LongAdder();

    /**
     * @param shipmentsPerSecond packing capacity in wall-clock shipments per second; 0 for unlimited
     * @param stock the initial stock per SKU, to tell when more units left than there ever were
     */
    Packing(Warehouse delegate, double shipmentsPerSecond, Chaos chaos, Map<String, Long> stock) {
      this.delegate = delegate;
      this.intervalNanos = shipmentsPerSecond <= 0 ? 0 : Math.max(1, Math.round(1e9 / shipmentsPerSecond));
      this.burstNanos = Math.max(20_000_000L, 16 * intervalNanos);
      this.chaos = chaos;
      this.stock = stock;
      for (String sku : stock.keySet()) {
        shipped.put(sku, new AtomicLong());
      }
    }

    @Override
    public String pack(String shipmentId, List<OrderLine> lines, Address shipTo) throws Exception {
      chaos.delay();
      int failure = chaos.failure(shipmentId);
      if (failure == 1) {
        throw chaos.fault("pack");
      }
      waitForSlot();
      String tracking = delegate.pack(shipmentId, lines, shipTo);
      count(shipmentId, lines);
      if (failure == 2) {
        throw chaos.fault("pack reply");
      }
      return tracking;
    }

    /**
     * A token bucket: each pack takes the next slot, {@code intervalNanos} after the previous one.
     * Slots may lie up to {@link #burstNanos} in the past (unused capacity carries over that far),
     * so a waiter that wakes up late costs no capacity: the packs behind it find their slots due.
     */
    private void waitForSlot() {
      if (intervalNanos == 0) {
        return;
      }
      long now = System.nanoTime();
      long slot;
      while (true) {
        long next = nextSlot.get();
        slot = next == Long.MIN_VALUE ? now : Math.max(next, now - burstNanos);
        if (nextSlot.compareAndSet(next, slot + intervalNanos)) {
          break;
        }
      }
      if (slot > now) {
        RunClock.pause(slot - now);
      }
    }

    private void count(String shipmentId, List<OrderLine> lines) {
      String orderId = shipmentId.startsWith("shp-") ? shipmentId.substring(4) : shipmentId;
      long seq = OrderGenerator.sequenceOf(orderId);
      boolean first = seq >= 0 ? packedOrders.add(seq) : packedOther.add(shipmentId);
      if (!first) {
        return; // a repeated pack of the same shipment ships nothing more
      }
      for (OrderLine line : lines) {
        AtomicLong units = shipped.get(line.sku());
        long initial = stock.getOrDefault(line.sku(), 0L);
        long total = units == null ? Long.MAX_VALUE : units.addAndGet(line.quantity());
        if (total > initial) {
          oversoldCount.increment();
          if (oversoldOrders.size() < dev.oms.audit.PipelineAudit.MAX_EXAMPLES) {
            oversoldOrders.add(orderId + " (" + line.sku() + ": " + (units == null ? "unknown SKU" : total + " shipped of "
                + initial) + ")");
          }
        }
      }
    }

    /** Order lines shipped beyond their SKU's initial stock. */
    long oversoldCount() {
      return oversoldCount.sum();
    }

    List<String> oversoldOrders() {
      synchronized (oversoldOrders) {
        return List.copyOf(oversoldOrders);
      }
    }
  }

  /** Slowness and failures around a notification channel. */
  static final class Notifications implements NotificationChannel {
    private final NotificationChannel delegate;
    private final Chaos chaos;

    Notifications(NotificationChannel delegate, Chaos chaos) {
      this.delegate = delegate;
      this.chaos = chaos;
    }

    @Override
    public void send(Notification notification) throws Exception {
      chaos.delay();
      int failure = chaos.failure(notification.eventId() + notification.kind());
      if (failure == 1) {
        throw chaos.fault("send");
      }
      delegate.send(notification);
      if (failure == 2) {
        throw chaos.fault("send reply");
      }
    }
  }

  /** Slowness and failures around an inventory store. */
  static final class Inventory implements InventoryStore {
    private final InventoryStore delegate;
    private final Chaos chaos;

    Inventory(InventoryStore delegate, Chaos chaos) {
      this.delegate = delegate;
      this.chaos = chaos;
    }

    @Override
    public Reservation reserve(String orderId, List<OrderLine> lines) {
      chaos.delay();
      int failure = chaos.failure("reserve:" + orderId);
      if (failure == 1) {
        throw chaos.fault("reserve");
      }
      Reservation r = delegate.reserve(orderId, lines);
      if (failure == 2) {
        throw chaos.fault("reserve reply");
      }
      return r;
    }

    @Override
    public List<OrderLine> release(String orderId) {
      chaos.delay();
      if (chaos.failure("release:" + orderId) != 0) {
        throw chaos.fault("release"); // before the call: a lost release reply would lose the released lines
      }
      return delegate.release(orderId);
    }

    @Override
    public long available(String sku) {
      return delegate.available(sku);
    }
  }

  /** Slowness and failures around the order read model (failures before the write only). */
  static final class Orders implements OrderStore {
    private final OrderStore delegate;
    private final Chaos chaos;

    Orders(OrderStore delegate, Chaos chaos) {
      this.delegate = delegate;
      this.chaos = chaos;
    }

    @Override
    public void apply(OrderEvent event) {
      chaos.delay();
      if (chaos.failure(event.eventId()) != 0) {
        throw chaos.fault("apply");
      }
      delegate.apply(event);
    }

    @Override
    public Optional<OrderView> find(String orderId) {
      return delegate.find(orderId);
    }

    @Override
    public long count(OrderStatus status) {
      return delegate.count(status);
    }
  }
}
