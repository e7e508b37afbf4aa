package dev.oms.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oms.OmsService;
import dev.oms.event.OrderLine;
import dev.oms.port.InventoryStore;
import dev.oms.port.Reservation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Every fault type, survived with every invariant held; and a broken port caught. */
class FaultsTest {

  /** A steady 2-second run of 4,000 orders without the profile's own faults: the fault under test is alone. */
  private static SimulatorOptions run() {
    return SimulatorOptions.defaults().profile("steady").orders(4_000).duration("2s").noFaults(true).quiet(true);
  }

  private static void assertSurvived(SimulationResult r) {
    assertThat(r.invariantsHeld()).as(r.audit().describe()).isTrue();
    assertThat(r.succeeded()).as("stuck: %s, rejected: %s", r.stuck(), r.firstRejection()).isTrue();
    assertThat(r.terminal()).isEqualTo(4_000);
    assertThat(r.deadLetters()).isZero();
    assertThat(r.duplicateTerminals()).isZero();
  }

  @ParameterizedTest
  @EnumSource(OmsService.class)
  void aServiceDownForAWindowLosesNothingAndCheckoutKeepsTakingOrders(OmsService service) {
    SimulationResult r = SimulatorMain.run(run().outage(service.group() + "@20%-60%"));

    assertSurvived(r);
    FaultInjector.Window w = r.faultWindows().get(0);
    assertThat(w.kind()).isEqualTo("outage");
    assertThat(w.target()).isEqualTo(service.group());
    assertThat(w.end() - w.start()).as("an outage of 40%% of 2 s").isBetween(0.6, 1.6);
    int group = r.groups().indexOf(service.group());
    List<Monitor.Sample> during = r.timeline().stream()
        .filter(s -> s.t() > w.start() + 0.2 && s.t() < w.end()).toList();
    assertThat(during).as("samples inside the outage").isNotEmpty();
    assertThat(during.get(during.size() - 1).groupBacklog()[group]).as("work waits for the service").isPositive();
    assertThat(during.get(during.size() - 1).accepted()).as("checkout keeps acknowledging orders during the outage")
        .isGreaterThan(during.get(0).accepted());
  }

  @Test
  void everyPortFailingSomeCallsIsRiddenOutByRetries() {
    SimulationResult r = SimulatorMain.run(run().errorRate("inventory=0.03").errorRate("payment=0.03")
        .errorRate("warehouse=0.03").errorRate("notification=0.03").errorRate("order-view=0.03"));

    assertSurvived(r);
    assertThat(r.portFaultsInjected()).isGreaterThan(300);
    assertThat(r.retries()).isGreaterThanOrEqualTo(r.portFaultsInjected());
  }

  @Test
  void duplicateDeliveriesChargeNobodyTwiceAndEndNoOrderTwice() {
    SimulationResult r = SimulatorMain.run(run().duplicates(0.05));

    assertSurvived(r);
    assertThat(r.duplicatesInjected()).isGreaterThan(500);
    assertThat(r.audit().doubleChargedCount()).isZero();
  }

  @Test
  void slowConsumersDelayOrdersButLoseNone() {
    SimulationResult r = SimulatorMain.run(run().slow("notification=300us").slow("warehouse=500us@30%-70%"));

    assertSurvived(r);
    assertThat(r.faultWindows()).extracting(FaultInjector.Window::kind).containsOnly("slow");
    assertThat(r.stages().get("shipment packed").getMaxValue()).as("packing took at least the injected delay")
        .isGreaterThan(500_000);
  }

  @Test
  void aBrokerRestartIsSurvivedOnABrokerThatCanRestart() {
    SimulationResult r = SimulatorMain.run(run().broker(RestartableBrokerProvider.NAME).brokerRestart("50%+300ms"));

    assertSurvived(r);
    assertThat(r.faultWindows()).singleElement().satisfies(w -> {
      assertThat(w.kind()).isEqualTo("broker restart");
      assertThat(w.end() - w.start()).isGreaterThanOrEqualTo(0.3);
    });
    assertThat(r.notes()).isEmpty();
  }

  @Test
  void aBrokerThatCannotRestartSkipsThePlannedRestartWithANote() {
    SimulationResult r = SimulatorMain.run(run().brokerRestart("50%"));

    assertSurvived(r);
    assertThat(r.notes()).singleElement().asString().contains("broker in-memory cannot be restarted")
        .contains("1 planned restart(s) skipped");
  }

  @Test
  void theBlackFridayProfileWithAllItsFaultsHoldsEveryInvariant() {
    SimulationResult r = SimulatorMain.run(SimulatorOptions.defaults().orders(6_000).duration("2s")
        .errorRate("notification=0.01").duplicates(0.01).quiet(true));

    assertThat(r.succeeded()).as(r.audit().describe()).isTrue();
    assertThat(r.faultWindows()).anyMatch(w -> w.kind().equals("outage") && w.target().equals("warehouse"));
  }

  /** Claims every reservation succeeded, even when the stock ran out: the doorbusters get oversold. */
  private static InventoryStore oversellingInventory(InventoryStore real) {
    return new InventoryStore() {
      @Override
      public Reservation reserve(String orderId, List<OrderLine> lines) {
        Reservation r = real.reserve(orderId, lines);
        return r instanceof Reservation.Rejected ? new Reservation.Reserved(lines) : r;
      }

      @Override
      public List<OrderLine> release(String orderId) {
        return real.release(orderId);
      }

      @Override
      public long available(String sku) {
        return real.available(sku);
      }
    };
  }

  @Test
  void aBrokenInventoryPortIsCaughtNamesTheOrdersAndExitsOne(@TempDir Path dir) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code = SimulatorMain.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        FaultsTest::oversellingInventory, "--orders", "3000", "--quiet", "--report", dir.toString());

    assertThat(code).as(err.toString()).isEqualTo(1);
    assertThat(out.toString()).contains("invariants   VIOLATED")
        .containsPattern("FAIL no order shipped beyond its SKU's stock: \\d+ line\\(s\\), e\\.g\\. \\[ord-\\d+ \\(SKU-");
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
    assertThat(summary.get("invariantsHeld").asBoolean()).isFalse();
    assertThat(summary.get("oversold").asLong()).isPositive();
    assertThat(summary.at("/invariants/noOrderShippedBeyondStock/examples/0").asText()).startsWith("ord-");
  }
}
