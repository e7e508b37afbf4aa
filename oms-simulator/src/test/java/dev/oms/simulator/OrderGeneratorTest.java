package dev.oms.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oms.service.PlaceOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrderGeneratorTest {

  private static List<PlaceOrder> stream(SimulatorOptions options, int n) {
    OrderGenerator generator = Workload.of(options).generator();
    List<PlaceOrder> orders = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      orders.add(generator.next());
    }
    return orders;
  }

  @Test
  void theSameSeedGivesTheSameOrderStream() {
    List<PlaceOrder> first = stream(SimulatorOptions.defaults().seed(7), 5_000);
    List<PlaceOrder> second = stream(SimulatorOptions.defaults().seed(7), 5_000);

    assertThat(second).isEqualTo(first);
  }

  @Test
  void anotherSeedGivesAnotherOrderStream() {
    List<PlaceOrder> first = stream(SimulatorOptions.defaults().seed(7), 1_000);
    List<PlaceOrder> other = stream(SimulatorOptions.defaults().seed(8), 1_000);

    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void theSameSeedGivesTheSameCatalogAndStock() {
    Catalog a = Workload.of(SimulatorOptions.defaults().seed(3)).catalog();
    Catalog b = Workload.of(SimulatorOptions.defaults().seed(3)).catalog();

    for (int i = 0; i < a.size(); i++) {
      assertThat(b.sku(i)).isEqualTo(a.sku(i));
      assertThat(b.price(i)).isEqualTo(a.price(i));
      assertThat(b.stockFor(i, 200_000)).isEqualTo(a.stockFor(i, 200_000));
    }
  }

  @Test
  void ordersAreNumberedAndWellFormed() {
    List<PlaceOrder> orders = stream(SimulatorOptions.defaults(), 2_000);

    for (int i = 0; i < orders.size(); i++) {
      PlaceOrder order = orders.get(i);
      assertThat(order.orderId()).isEqualTo("ord-" + i);
      assertThat(OrderGenerator.sequenceOf(order.orderId())).isEqualTo(i);
      assertThat(order.lines()).isNotEmpty().hasSizeLessThanOrEqualTo(Catalog.LINES_CDF.length);
      Set<String> skus = new HashSet<>();
      order.lines().forEach(line -> assertThat(skus.add(line.sku())).as("SKUs within an order are distinct").isTrue());
      assertThat(order.traceparent()).isNull();
    }
    assertThat(OrderGenerator.sequenceOf("order-1")).isEqualTo(-1);
    assertThat(OrderGenerator.sequenceOf("ord-")).isEqualTo(-1);
    assertThat(OrderGenerator.sequenceOf("ord-1x")).isEqualTo(-1);
  }

  @Test
  void aboutTheDeclineRateOfOrdersPayWithADecliningCard() {
    List<PlaceOrder> orders = stream(SimulatorOptions.defaults().declineRate(0.1), 20_000);

    long declined = orders.stream().filter(o -> o.payment().token().startsWith("tok_decline")).count();
    assertThat(declined).isBetween(1_700L, 2_300L);
    assertThat(stream(SimulatorOptions.defaults().declineRate(0), 5_000))
        .noneMatch(o -> o.payment().token().startsWith("tok_decline"));
  }

  @Test
  void popularityFollowsTheCatalogsZipfLaw() {
    Catalog catalog = Catalog.generate(1_000, 1);
    OrderGenerator generator = new OrderGenerator(catalog, 1, 0);
    int[] lines = new int[catalog.size()];
    int total = 0;
    for (int i = 0; i < 50_000; i++) {
      for (var line : generator.next().lines()) {
        lines[Integer.parseInt(line.sku().substring(4)) - 1]++;
        total++;
      }
    }
    double topShare = (double) lines[0] / total;
    assertThat(topShare).isCloseTo(catalog.popularity(0), org.assertj.core.data.Offset.offset(0.01));
    assertThat(lines[0]).isGreaterThan(lines[9]).isGreaterThan(lines[99]);
  }

  @Test
  void onlyTheBestSellersAreStockedBelowTheirExpectedDemand() {
    Catalog catalog = Catalog.generate(10_000, 42);
    assertThat(catalog.hotSkus()).isBetween(1, 10);
    for (int i = 0; i < catalog.size(); i++) {
      double expected = catalog.expectedUnits(i, 200_000);
      if (i < catalog.hotSkus()) {
        assertThat((double) catalog.stockFor(i, 200_000)).isLessThan(expected);
      } else {
        assertThat((double) catalog.stockFor(i, 200_000)).isGreaterThan(expected);
      }
    }
  }
}
