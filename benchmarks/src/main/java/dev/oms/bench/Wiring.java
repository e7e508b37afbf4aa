package dev.oms.bench;

import dev.oms.broker.EventContext;
import dev.oms.broker.EventHandler;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.codec.EventCodec;
import dev.oms.event.EventMetadata;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderFulfilled;
import dev.oms.port.InMemoryInventory;
import dev.oms.port.InMemoryNotificationChannel;
import dev.oms.port.InMemoryOrderStore;
import dev.oms.port.InMemoryPaymentGateway;
import dev.oms.port.InMemoryPaymentLedger;
import dev.oms.port.InMemoryWarehouse;
import dev.oms.port.InventoryStore;
import dev.oms.port.NotificationChannel;
import dev.oms.port.OrderStore;
import dev.oms.port.PaymentGateway;
import dev.oms.port.PaymentLedger;
import dev.oms.port.Warehouse;
import dev.oms.service.FulfillmentService;
import dev.oms.service.InventoryService;
import dev.oms.service.NotificationService;
import dev.oms.service.OrderService;
import dev.oms.service.OrderViewProjection;
import dev.oms.service.WarehouseService;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The six OMS services (and the order view) without a broker: each event is handed to every
 * service subscribed to its type by a plain method call, on the calling thread, through a FIFO so
 * that a handler's follow-on events run after it returned (as on any bus). What a team would
 * hand-wire without OMS: no deduplication, no retries, no dead letters, no per-order lanes.
 *
 * <p>Not thread-safe: one {@code Wiring} per thread (the ports behind it are shared and
 * concurrent). With {@code json}, every publish encodes the event and every subscribed service
 * decodes its own copy, as over a remote broker.
 */
final class Wiring {
  /** The ports of one pipeline, shared by every thread that runs it. */
  static final class Ports {
    final InventoryStore inventory;
    final PaymentGateway payments;
    final PaymentLedger ledger = new InMemoryPaymentLedger();
    final Warehouse warehouse;
    final NotificationChannel notifications;
    final OrderStore orders;

    /**
     * @param lean {@link LeanPorts} if true; else OMS's in-memory defaults, which keep every order
     */
    Ports(boolean lean) {
      inventory = lean ? new LeanPorts.Inventory() : new InMemoryInventory().stock(Fixtures.SKU, Long.MAX_VALUE / 4);
      payments = lean ? new LeanPorts.Payments() : new InMemoryPaymentGateway();
      warehouse = lean ? new LeanPorts.Shipping() : new InMemoryWarehouse();
      notifications = lean ? new LeanPorts.Notifications() : new InMemoryNotificationChannel();
      orders = lean ? new LeanPorts.Orders() : new InMemoryOrderStore();
    }
  }

  private record Subscriber(String group, EventHandler<OrderEvent> handler) {}

  private final Map<String, Subscriber[]> routes;
  private final EventCodec codec;
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private final Context ctx = new Context();

  Wiring(Ports ports, Completion terminal, EventCodec codec) {
    this.codec = codec;
    Map<String, List<Subscriber>> byType = new HashMap<>();
    add(byType, InventoryService.GROUP, new InventoryService(ports.inventory).handlers());
    add(byType, OrderService.GROUP, new OrderService(ports.payments, ports.ledger).handlers());
    add(byType, FulfillmentService.GROUP, new FulfillmentService().handlers());
    add(byType, WarehouseService.GROUP, new WarehouseService(ports.warehouse).handlers());
    add(byType, NotificationService.GROUP, new NotificationService(ports.notifications).handlers());
    add(byType, OrderViewProjection.GROUP, new OrderViewProjection(ports.orders).handlers());
    add(byType, "probe", EventHandlers.builder()
        .on(OrderFulfilled.TYPE, (e, c) -> terminal.arrive(e))
        .on(OrderCancelled.TYPE, (e, c) -> terminal.arrive(e))
        .build());
    Map<String, Subscriber[]> frozen = new HashMap<>();
    byType.forEach((type, list) -> frozen.put(type, list.toArray(new Subscriber[0])));
    this.routes = frozen;
  }

  private static void add(Map<String, List<Subscriber>> byType, String group, EventHandlers handlers) {
    for (String type : handlers.types()) {
      byType.computeIfAbsent(type, t -> new ArrayList<>()).add(new Subscriber(group, handlers.handlerFor(type)));
    }
  }

  /** Handles {@code event} and everything that follows from it, on this thread. */
  void run(Object eventOrBytes) {
    queue.add(eventOrBytes);
    for (Object next = queue.poll(); next != null; next = queue.poll()) {
      dispatch(next);
    }
  }

  /** What a publish puts on the wire: the object, or its JSON. */
  Object wire(OrderEvent event) {
    // Bytes travel with their type and key outside the body, as broker headers carry them.
    return codec == null ? event
        : BrokerRecord.ofBytes(event.type().name(), event.orderId(), null, codec.encode(event));
  }

  private void dispatch(Object wire) {
    OrderEvent event = codec == null ? (OrderEvent) wire : null;
    String type = event != null ? event.type().name() : ((BrokerRecord) wire).type();
    Subscriber[] subscribers = routes.get(type);
    if (subscribers == null) {
      return;
    }
    for (Subscriber s : subscribers) {
      OrderEvent copy = codec == null ? event : codec.decode(((BrokerRecord) wire).body());
      ctx.reset(s.group, copy);
      try {
        s.handler.handle(copy, ctx);
      } catch (Exception e) {
        throw new IllegalStateException(s.group + " failed on " + copy, e);
      }
      ctx.flush();
    }
  }

  /** A reusable handler context: holds follow-on events until the handler returns. */
  private final class Context implements EventContext {
    private String group;
    private OrderEvent event;
    private int followOns;
    private final ArrayList<OrderEvent> outputs = new ArrayList<>(4);
    private final ArrayList<Runnable> commits = new ArrayList<>(2);

    void reset(String group, OrderEvent event) {
      this.group = group;
      this.event = event;
      this.followOns = 0;
    }

    void flush() {
      for (int i = 0; i < outputs.size(); i++) {
        queue.add(wire(outputs.get(i)));
      }
      outputs.clear();
      for (int i = 0; i < commits.size(); i++) {
        commits.get(i).run();
      }
      commits.clear();
    }

    @Override
    public String group() {
      return group;
    }

    @Override
    public int attempt() {
      return 1;
    }

    @Override
    public String traceparent() {
      return event.metadata().traceparent();
    }

    @Override
    public String correlationId() {
      return event.metadata().correlationId();
    }

    @Override
    public void publish(OrderEvent output) {
      outputs.add(output);
    }

    @Override
    public EventMetadata followOn() {
      return Fixtures.followOn(event, group, followOns++);
    }

    @Override
    public void afterPublish(Runnable action) {
      commits.add(action);
    }
  }
}
