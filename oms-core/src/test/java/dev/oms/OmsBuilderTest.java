package dev.oms;

import static dev.oms.fixtures.Orders.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.oms.broker.DeliveryListener;
import dev.oms.broker.EventBus;
import dev.oms.event.OrderEvent;
import dev.oms.memory.InMemoryBroker;
import dev.oms.port.InMemoryInventory;
import dev.oms.port.OrderStatus;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OmsBuilderTest {

  @Test
  void aFullyConfiguredBusCarriesThePipeline() {
    AtomicInteger handled = new AtomicInteger();
    EventBus bus = EventBus.builder().listener(new DeliveryListener() {
      @Override
      public void onHandled(String group, OrderEvent event, int attempt, long nanos) {
        handled.incrementAndGet();
      }
    }).build();
    try (Oms oms = Oms.builder().bus(bus).inventory(new InMemoryInventory().stock("A", 1)).build()) {
      oms.placeOrder(order("b-1", "A", 1));
      await().atMost(Duration.ofSeconds(10)).until(
          () -> oms.order("b-1").map(v -> v.status() == OrderStatus.FULFILLED).orElse(false));
      assertThat(handled.get()).as("every service's deliveries reach the bus's listener").isGreaterThanOrEqualTo(6);
      assertThat(oms.bus()).isSameAs(bus);
      assertThat(oms.metrics()).extracting(m -> m.group())
          .containsExactly("fulfillment", "inventory", "notification", "order", "order-view", "warehouse");
    }
  }

  @Test
  void busAndBrokerTogetherAreAConfigurationError() {
    EventBus bus = EventBus.builder().build();
    try {
      assertThatThrownBy(() -> Oms.builder().bus(bus).broker(InMemoryBroker.ofDefaults()).build())
          .isInstanceOfSatisfying(OmsException.class,
              e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.CONFIGURATION));
    } finally {
      bus.close();
    }
  }

  @Test
  void aProcessCanRunASubsetOfTheServices() {
    try (Oms oms = Oms.builder().services(EnumSet.of(OmsService.WAREHOUSE, OmsService.FULFILLMENT))
        .concurrency(OmsService.WAREHOUSE, 3).build()) {
      assertThat(oms.runningServices()).containsExactlyInAnyOrder(OmsService.WAREHOUSE, OmsService.FULFILLMENT);
      assertThat(oms.service(OmsService.WAREHOUSE).group().concurrency()).isEqualTo(3);
      assertThatThrownBy(() -> oms.service(OmsService.ORDER))
          .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.NOT_FOUND))
          .hasMessageContaining("ORDER");
    }
    assertThatThrownBy(() -> Oms.builder().defaultConcurrency(0))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.CONFIGURATION));
  }

  @Test
  void aCallerWrapsABuiltInServicesHandlersAndEveryEventOfThatServiceGoesThroughTheWrapper() {
    java.util.List<String> audited = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Oms oms = Oms.builder().inventory(new InMemoryInventory().stock("A", 5))
        .handlers(OmsService.WAREHOUSE, h -> h.wrap((type, handler) -> (event, ctx) -> {
          audited.add(type);
          handler.handle(event, ctx);
        })).build()) {
      oms.placeOrder(order("w-1", "A", 1));
      await().atMost(Duration.ofSeconds(10)).until(
          () -> oms.order("w-1").map(v -> v.status() == OrderStatus.FULFILLED).orElse(false));
    }
    assertThat(audited).containsExactly(dev.oms.event.ShipmentPrepared.TYPE.name());
  }

  @Test
  void aCallerReplacesOneHandlerOfABuiltInServiceAndKeepsTheOthers() {
    AtomicInteger fraudChecks = new AtomicInteger();
    try (Oms oms = Oms.builder().inventory(new InMemoryInventory().stock("A", 5))
        .handlers(OmsService.NOTIFICATION, h -> h.toBuilder()
            .replace(dev.oms.event.OrderCreated.TYPE, (e, ctx) -> fraudChecks.incrementAndGet(), true)
            .build())
        .build()) {
      oms.placeOrder(order("r-1", "A", 1));
      await().atMost(Duration.ofSeconds(10)).until(
          () -> oms.order("r-1").map(v -> v.status() == OrderStatus.FULFILLED).orElse(false));
      await().atMost(Duration.ofSeconds(10)).until(() -> fraudChecks.get() == 1);
      assertThat(oms.metrics()).filteredOn(m -> m.group().equals("notification"))
          .singleElement().satisfies(m -> assertThat(m.handled()).isGreaterThan(1));
    }
  }

  @Test
  void servicesDeclaredBlockingRunTheirHandlersOnTheBlockingPool() {
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (Oms oms = Oms.builder().inventory(new InMemoryInventory().stock("A", 5))
        .blocking(OmsService.ORDER)
        .handlers(OmsService.ORDER, h -> h.wrap((type, handler) -> (event, ctx) -> {
          threads.add(Thread.currentThread().getName());
          handler.handle(event, ctx);
        })).build()) {
      oms.placeOrder(order("x-1", "A", 1));
      await().atMost(Duration.ofSeconds(10)).until(
          () -> oms.order("x-1").map(v -> v.status() == OrderStatus.FULFILLED).orElse(false));
    }
    assertThat(threads).isNotEmpty().allSatisfy(t -> assertThat(t).startsWith("oms-blocking-"));
  }

  @Test
  void aCustomizationReturningNothingIsAConfigurationErrorNamingTheService() {
    assertThatThrownBy(() -> Oms.builder().handlers(OmsService.WAREHOUSE, h -> null).build())
        .isInstanceOfSatisfying(OmsException.class, e -> {
          assertThat(e.kind()).isEqualTo(OmsException.Kind.CONFIGURATION);
          assertThat(e.getMessage()).contains("WAREHOUSE");
        });
  }
}
