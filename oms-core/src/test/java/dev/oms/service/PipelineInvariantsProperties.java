package dev.oms.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.Oms;
import dev.oms.audit.AuditReport;
import dev.oms.event.Address;
import dev.oms.event.Customer;
import dev.oms.event.Money;
import dev.oms.event.OrderLine;
import dev.oms.event.PaymentMethod;
import dev.oms.fixtures.Pipeline;
import dev.oms.port.OrderStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random catalogs, stock levels, baskets and declines, placed concurrently: whatever happens, no
 * SKU is oversold, nobody is charged twice, every order ends fulfilled or cancelled, and every
 * cancelled order that was charged is refunded.
 */
class PipelineInvariantsProperties {

  record Basket(Map<String, Integer> quantities, boolean declined) {}

  @Provide
  Arbitrary<List<Basket>> baskets() {
    Arbitrary<String> sku = Arbitraries.integers().between(0, 5).map(i -> "SKU-" + i);
    Arbitrary<Map<String, Integer>> lines = Arbitraries.maps(sku, Arbitraries.integers().between(1, 4)).ofMinSize(1)
        .ofMaxSize(3).map(LinkedHashMap::new);
    Arbitrary<Boolean> declined = Arbitraries.integers().between(0, 9).map(i -> i == 0);
    return Combinators.combine(lines, declined).as(Basket::new).list().ofMinSize(1).ofMaxSize(120);
  }

  @Provide
  Arbitrary<List<Integer>> stockLevels() {
    return Arbitraries.integers().between(0, 30).list().ofSize(6);
  }

  @Property(tries = 40)
  void invariantsHoldForAnyMixOfOrdersStockAndDeclines(
      @ForAll("baskets") List<Basket> baskets,
      @ForAll("stockLevels") List<Integer> stock,
      @ForAll @IntRange(min = 1, max = 4) int concurrency) {
    try (Pipeline pipeline = new Pipeline(Oms.builder().defaultConcurrency(concurrency))) {
      for (int i = 0; i < stock.size(); i++) {
        pipeline.inventory.stock("SKU-" + i, stock.get(i));
      }
      List<String> ids = new ArrayList<>();
      List<CompletableFuture<?>> placed = new ArrayList<>();
      for (int i = 0; i < baskets.size(); i++) {
        String orderId = "p-" + i;
        ids.add(orderId);
        placed.add(pipeline.oms.checkout().placeOrderAsync(request(orderId, baskets.get(i))).toCompletableFuture());
      }
      CompletableFuture.allOf(placed.toArray(CompletableFuture[]::new)).join();

      await().atMost(Duration.ofSeconds(20)).until(() -> pipeline.terminal() == baskets.size());
      await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.oms.backlog() == 0);

      AuditReport report = pipeline.audit(ids);
      assertThat(report.invariantsHeld()).as(report.describe()).isTrue();
      assertThat(report.ordersFulfilled() + report.ordersCancelled()).isEqualTo(baskets.size());
      for (int i = 0; i < baskets.size(); i++) {
        if (baskets.get(i).declined()) {
          assertThat(pipeline.orders.status("p-" + i)).contains(OrderStatus.CANCELLED);
          assertThat(pipeline.payments.captures("p-" + i)).isZero();
        }
      }
      assertThat(pipeline.oms.deadLetters().list()).isEmpty();
    }
  }

  private static dev.oms.service.PlaceOrder request(String orderId, Basket basket) {
    List<OrderLine> lines = new ArrayList<>();
    basket.quantities().forEach((sku, qty) -> lines.add(new OrderLine(sku, qty, Money.of(500, "EUR"))));
    Customer customer = new Customer("c-" + orderId, "c@example.com", new Address("Main St 1", "Berlin", "10115", "DE"));
    PaymentMethod payment = new PaymentMethod(basket.declined() ? "tok_decline_x" : "tok_ok");
    return new PlaceOrder(orderId, customer, lines, payment, null);
  }
}
