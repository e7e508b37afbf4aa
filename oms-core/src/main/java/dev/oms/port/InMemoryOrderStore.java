package dev.oms.port;

import dev.oms.event.EventType;
import dev.oms.event.EventTypes;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderFulfilled;
import dev.oms.event.OrderProcessed;
import dev.oms.event.ShipmentPrepared;
import dev.oms.event.ShipmentProcessed;
import dev.oms.event.StockReserved;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The read model in memory. Each order keeps a compact timeline (event type index and epoch
 * microseconds per step, in event-time order) rather than the events, so millions of orders fit comfortably.
 */
public final class InMemoryOrderStore implements OrderStore {
  private static final Map<EventType<?>, Integer> TYPE_INDEX = new IdentityHashMap<>();

  static {
    for (int i = 0; i < EventTypes.ALL.size(); i++) {
      TYPE_INDEX.put(EventTypes.ALL.get(i), i);
    }
  }

  private final Map<String, Entry> orders = new ConcurrentHashMap<>();
  private final Map<OrderStatus, LongAdder> counts = new EnumMap<>(OrderStatus.class);

  public InMemoryOrderStore() {
    for (OrderStatus status : OrderStatus.values()) {
      counts.put(status, new LongAdder());
    }
  }

  /** One order; guarded by its monitor (writes come one at a time per order, reads from anywhere). */
  private static final class Entry {
    OrderStatus status;
    byte[] types = new byte[6];
    long[] times = new long[6];
    int size;

    /** Inserts in event-time order: events of different types may arrive out of order. */
    void add(int typeIndex, long epochMicros) { // caller holds the entry's monitor
      if (size == types.length) {
        types = java.util.Arrays.copyOf(types, size * 2);
        times = java.util.Arrays.copyOf(times, size * 2);
      }
      int at = size;
      while (at > 0 && times[at - 1] > epochMicros) {
        types[at] = types[at - 1];
        times[at] = times[at - 1];
        at--;
      }
      types[at] = (byte) typeIndex;
      times[at] = epochMicros;
      size++;
    }

    synchronized OrderView view(String orderId) {
      List<OrderView.TimelineEntry> timeline = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        timeline.add(new OrderView.TimelineEntry(EventTypes.ALL.get(types[i]).name(), Instant.EPOCH.plusNanos(times[i] * 1_000)));
      }
      return new OrderView(orderId, status, timeline);
    }
  }

  @Override
  public void apply(OrderEvent event) {
    Entry entry = orders.computeIfAbsent(event.orderId(), id -> new Entry());
    Instant at = event.metadata().occurredAt();
    OrderStatus next = statusAfter(event);
    synchronized (entry) { // one monitor per event: the timeline and the status change together
      entry.add(TYPE_INDEX.get(event.type()), at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000);
      OrderStatus current = entry.status;
      // Terminal states are final, and a late event never moves an order backwards.
      if (next != null && (current == null
          || (!current.isTerminal() && (next.isTerminal() || next.ordinal() > current.ordinal())))) {
        entry.status = next;
        if (current != null) {
          counts.get(current).decrement();
        }
        counts.get(next).increment();
      }
    }
  }

  private static OrderStatus statusAfter(OrderEvent event) {
    if (event instanceof OrderCreated) {
      return OrderStatus.CREATED;
    } else if (event instanceof StockReserved) {
      return OrderStatus.STOCK_RESERVED;
    } else if (event instanceof OrderProcessed) {
      return OrderStatus.PAID;
    } else if (event instanceof ShipmentPrepared) {
      return OrderStatus.SHIPMENT_PREPARED;
    } else if (event instanceof ShipmentProcessed) {
      return OrderStatus.SHIPPED;
    } else if (event instanceof OrderFulfilled) {
      return OrderStatus.FULFILLED;
    } else if (event instanceof OrderCancelled) {
      return OrderStatus.CANCELLED;
    }
    return null; // failure-path details (declines, refunds, releases) only extend the timeline
  }

  @Override
  public Optional<OrderView> find(String orderId) {
    Entry entry = orders.get(orderId);
    return entry == null ? Optional.empty() : Optional.of(entry.view(orderId));
  }

  /** The status alone, without building the timeline. */
  public Optional<OrderStatus> status(String orderId) {
    Entry entry = orders.get(orderId);
    if (entry == null) {
      return Optional.empty();
    }
    synchronized (entry) {
      return Optional.ofNullable(entry.status);
    }
  }

  @Override
  public long count(OrderStatus status) {
    return counts.get(status).sum();
  }

  /** Orders known to the store. */
  public int size() {
    return orders.size();
  }

  /** The ids of every order the store knows, in no particular order (a snapshot, for audits). */
  public List<String> orderIds() {
    return List.copyOf(orders.keySet());
  }
}
