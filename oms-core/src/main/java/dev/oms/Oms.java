package dev.oms;

import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.DeadLetters;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.GroupMetrics;
import dev.oms.broker.Subscription;
import dev.oms.broker.spi.EventBroker;
import dev.oms.internal.Require;
import dev.oms.port.InMemoryInventory;
import dev.oms.port.InMemoryNotificationChannel;
import dev.oms.port.InMemoryOrderStore;
import dev.oms.port.InMemoryPaymentGateway;
import dev.oms.port.InMemoryPaymentLedger;
import dev.oms.port.InMemoryWarehouse;
import dev.oms.port.InventoryStore;
import dev.oms.port.NotificationChannel;
import dev.oms.port.OrderStore;
import dev.oms.port.OrderView;
import dev.oms.port.PaymentGateway;
import dev.oms.port.PaymentLedger;
import dev.oms.port.Warehouse;
import dev.oms.service.CheckoutAcknowledgement;
import dev.oms.service.CheckoutService;
import dev.oms.service.FulfillmentService;
import dev.oms.service.InventoryService;
import dev.oms.service.NotificationService;
import dev.oms.service.OrderService;
import dev.oms.service.OrderViewProjection;
import dev.oms.service.PlaceOrder;
import dev.oms.service.WarehouseService;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The order pipeline, wired and running: checkout, inventory, order (payment), fulfillment,
 * warehouse and notification, plus the order read model, each a consumer group on one event bus.
 *
 * <pre>{@code
 * try (Oms oms = Oms.builder().inventory(new InMemoryInventory().stock("SKU-1", 10)).build()) {
 *   CheckoutAcknowledgement ack = oms.placeOrder(PlaceOrder.of(customer, lines, payment));
 *   oms.order(ack.orderId());   // status and timeline
 * }
 * }</pre>
 */
public final class Oms implements AutoCloseable {
  private final EventBus bus;
  private final CheckoutService checkout;
  private final OrderStore orderStore;
  private final Map<OmsService, Subscription> subscriptions = new EnumMap<>(OmsService.class);

  private Oms(Builder b) {
    if (b.bus != null && b.broker != null) {
      throw new OmsException(OmsException.Kind.CONFIGURATION,
          "set either bus(...) or broker(...), not both: a bus already has its broker");
    }
    this.bus = b.bus != null ? b.bus : EventBus.builder().broker(b.broker).build();
    this.orderStore = b.orderStore;
    this.checkout = new CheckoutService(bus, b.acceptTimeout);
    try {
      for (OmsService service : b.services) {
        ConsumerGroup group = ConsumerGroup.builder(service.group())
            .concurrency(b.concurrency.getOrDefault(service, b.defaultConcurrency))
            .policy(b.policy)
            .build();
        subscriptions.put(service, bus.subscribe(group, handlersOf(service, b)));
      }
    } catch (RuntimeException e) {
      bus.close(Duration.ZERO);
      throw e;
    }
  }

  /** The service's built-in handlers, after the caller's customization, declared blocking if asked. */
  private static EventHandlers handlersOf(OmsService service, Builder b) {
    EventHandlers handlers = b.customizers.getOrDefault(service, UnaryOperator.identity()).apply(builtIn(service, b));
    if (handlers == null) {
      throw new OmsException(OmsException.Kind.CONFIGURATION, "the handlers customization of " + service
          + " returned null; return the handlers to subscribe (the built-in ones, wrapped or replaced)");
    }
    return b.blocking.contains(service) ? handlers.blocking() : handlers;
  }

  private static EventHandlers builtIn(OmsService service, Builder b) {
    return switch (service) {
      case INVENTORY -> new InventoryService(b.inventory).handlers();
      case ORDER -> new OrderService(b.paymentGateway, b.paymentLedger).handlers();
      case FULFILLMENT -> new FulfillmentService().handlers();
      case WAREHOUSE -> new WarehouseService(b.warehouse).handlers();
      case NOTIFICATION -> new NotificationService(b.notificationChannel).handlers();
      case ORDER_VIEW -> new OrderViewProjection(b.orderStore).handlers();
    };
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Places an order; returns as soon as the broker accepted {@code OrderCreated}. */
  public CheckoutAcknowledgement placeOrder(PlaceOrder request) {
    return checkout.placeOrder(request);
  }

  public CheckoutService checkout() {
    return checkout;
  }

  /** Status and timeline of an order, from the read model. */
  public Optional<OrderView> order(String orderId) {
    return orderStore.find(orderId);
  }

  public OrderStore orders() {
    return orderStore;
  }

  /** The subscription of a running service, to pause it (an outage) and resume it. */
  public Subscription service(OmsService service) {
    Subscription sub = subscriptions.get(service);
    if (sub == null) {
      throw new OmsException(OmsException.Kind.NOT_FOUND, service + " does not run in this process");
    }
    return sub;
  }

  public Set<OmsService> runningServices() {
    return subscriptions.isEmpty() ? EnumSet.noneOf(OmsService.class) : EnumSet.copyOf(subscriptions.keySet());
  }

  public EventBus bus() {
    return bus;
  }

  public DeadLetters deadLetters() {
    return bus.deadLetters();
  }

  public List<GroupMetrics> metrics() {
    return bus.metrics();
  }

  /** Events accepted and not yet handled, across every service. */
  public long backlog() {
    return bus.totalBacklog();
  }

  public boolean close(Duration timeout) {
    return bus.close(timeout);
  }

  @Override
  public void close() {
    bus.close();
  }

  /** Builds and starts an {@link Oms}; every port has an in-memory default. */
  public static final class Builder {
    private EventBroker broker;
    private EventBus bus;
    private DeliveryPolicy policy = DeliveryPolicy.ofDefaults();
    private Duration acceptTimeout = Duration.ofSeconds(30);
    private InventoryStore inventory = new InMemoryInventory();
    private PaymentGateway paymentGateway = new InMemoryPaymentGateway();
    private PaymentLedger paymentLedger = new InMemoryPaymentLedger();
    private Warehouse warehouse = new InMemoryWarehouse();
    private NotificationChannel notificationChannel = new InMemoryNotificationChannel();
    private OrderStore orderStore = new InMemoryOrderStore();
    private int defaultConcurrency = Runtime.getRuntime().availableProcessors();
    private final Map<OmsService, Integer> concurrency = new EnumMap<>(OmsService.class);
    private Set<OmsService> services = EnumSet.allOf(OmsService.class);
    private final Map<OmsService, UnaryOperator<EventHandlers>> customizers = new EnumMap<>(OmsService.class);
    private final Set<OmsService> blocking = EnumSet.noneOf(OmsService.class);

    private Builder() {}

    /** The broker adapter; the embedded in-memory broker by default. */
    public Builder broker(EventBroker broker) {
      this.broker = broker;
      return this;
    }

    /**
     * A bus configured in full (codec, dead-letter store, listener, close timeout); the pipeline
     * subscribes its services on it and closes it when it is closed.
     */
    public Builder bus(EventBus bus) {
      this.bus = bus;
      return this;
    }

    /** Retry, dedup and dead-letter policy of every service's group. */
    public Builder deliveryPolicy(DeliveryPolicy policy) {
      this.policy = Require.config(policy, "deliveryPolicy");
      return this;
    }

    /** How long checkout waits for the broker to accept an order. */
    public Builder acceptTimeout(Duration timeout) {
      this.acceptTimeout = Require.config(timeout, "acceptTimeout");
      return this;
    }

    public Builder inventory(InventoryStore inventory) {
      this.inventory = Require.config(inventory, "inventory");
      return this;
    }

    public Builder paymentGateway(PaymentGateway gateway) {
      this.paymentGateway = Require.config(gateway, "paymentGateway");
      return this;
    }

    public Builder paymentLedger(PaymentLedger ledger) {
      this.paymentLedger = Require.config(ledger, "paymentLedger");
      return this;
    }

    public Builder warehouse(Warehouse warehouse) {
      this.warehouse = Require.config(warehouse, "warehouse");
      return this;
    }

    public Builder notificationChannel(NotificationChannel channel) {
      this.notificationChannel = Require.config(channel, "notificationChannel");
      return this;
    }

    public Builder orderStore(OrderStore store) {
      this.orderStore = Require.config(store, "orderStore");
      return this;
    }

    /** Concurrency of every service's group unless set per service; the number of cores by default. */
    public Builder defaultConcurrency(int concurrency) {
      Require.configCheck(concurrency >= 1, "concurrency must be >= 1, was " + concurrency);
      this.defaultConcurrency = concurrency;
      return this;
    }

    public Builder concurrency(OmsService service, int concurrency) {
      Require.configCheck(concurrency >= 1, "concurrency must be >= 1, was " + concurrency);
      this.concurrency.put(service, concurrency);
      return this;
    }

    /**
     * Runs only these services in this process (all by default): how services spread over
     * processes sharing one remote broker.
     */
    public Builder services(Set<OmsService> services) {
      this.services = services.isEmpty() ? EnumSet.noneOf(OmsService.class) : EnumSet.copyOf(services);
      return this;
    }

    /**
     * Wraps or replaces a service's handlers: {@code customize} gets the built-in handlers and
     * returns what the service's group subscribes, for example
     * {@code h -> h.wrap((type, handler) -> (e, ctx) -> { audit(e); handler.handle(e, ctx); })}, or
     * {@code h -> h.toBuilder().replace(OrderCreated.TYPE, myHandler, false).build()}.
     */
    public Builder handlers(OmsService service, UnaryOperator<EventHandlers> customize) {
      Require.config(service, "service");
      Require.config(customize, "handlers customization of " + service);
      this.customizers.merge(service, customize, (first, then) -> h -> then.apply(first.apply(h)));
      return this;
    }

    /**
     * Declares that these services' ports block on I/O (a JDBC store, an HTTP payment gateway):
     * their handlers run on the bus's blocking pool, at most the service's concurrency at once,
     * never on the core-count workers the other services share.
     */
    public Builder blocking(OmsService... services) {
      for (OmsService service : services) {
        this.blocking.add(Require.config(service, "service"));
      }
      return this;
    }

    public Oms build() {
      return new Oms(this);
    }
  }
}
