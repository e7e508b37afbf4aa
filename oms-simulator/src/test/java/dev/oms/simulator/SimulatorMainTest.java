package dev.oms.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SimulatorMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int execute(String... args) {
    return SimulatorMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void aSmallBlackFridayRunDrainsAndHoldsEveryInvariant() {
    SimulationResult result = SimulatorMain.run(SimulatorOptions.defaults().orders(3_000).quiet(true));

    assertThat(result.audit().invariantsHeld()).as(result.audit().describe()).isTrue();
    assertThat(result.succeeded()).isTrue();
    assertThat(result.placed()).isEqualTo(3_000);
    assertThat(result.rejected()).isZero();
    assertThat(result.audit().ordersAccepted()).isEqualTo(3_000);
    assertThat(result.audit().ordersFulfilled() + result.audit().ordersCancelled()).isEqualTo(result.placed());
    assertThat(result.terminal()).isEqualTo(result.placed());
    assertThat(result.fulfilled()).isEqualTo(result.audit().ordersFulfilled());
    assertThat(result.cancelledOutOfStock() + result.cancelledDeclined()).isEqualTo(result.audit().ordersCancelled());
    assertThat(result.cancelledDeclined()).as("3%% of the orders pay with a declining card").isPositive();
    assertThat(result.cancelledOutOfStock()).as("the doorbusters sell out").isPositive();
    assertThat(result.checkoutAck().getTotalCount()).isEqualTo(3_000);
    assertThat(result.endToEnd().getTotalCount()).isEqualTo(3_000);
    assertThat(result.stages().get("fulfilled").getTotalCount()).isEqualTo(result.fulfilled());
    assertThat(result.duplicateTerminals()).isZero();
    assertThat(result.deadLetters()).isZero();
    assertThat(result.stuck()).isEmpty();
    assertThat(result.faults()).as("black-friday plans a warehouse outage, failing calls and duplicates")
        .anyMatch(f -> f.startsWith("warehouse down")).anyMatch(f -> f.contains("delivered twice"));
  }

  @Test
  void aClosedLoopBoundOfOneOrderInFlightStillDrains() {
    SimulationResult result = SimulatorMain.run(SimulatorOptions.defaults().profile("steady").orders(200)
        .maxInFlight(1).skus(20).quiet(true));

    assertThat(result.succeeded()).as(result.audit().describe()).isTrue();
    assertThat(result.terminal()).isEqualTo(200);
  }

  @Test
  void theCommandLinePrintsASummaryAndExitsZeroWhenInvariantsHold() {
    int code = execute("--orders", "1000", "--quiet", "--seed", "5", "--no-report");

    assertThat(code).as(err.toString()).isEqualTo(0);
    assertThat(out.toString())
        .contains("broker in-memory, 1,000 orders, seed 5")
        .contains("profile      black-friday")
        .contains("placed       1,000")
        .contains("throughput")
        .contains("drain")
        .contains("checkout ack p50")
        .contains("end-to-end   p50")
        .contains("invariants   held")
        .contains("ok   every accepted order fulfilled or cancelled");
    assertThat(err.toString()).as("--quiet prints no progress").doesNotContain("arrivals");
  }

  @Test
  void withoutQuietProgressLinesGoToStderr() {
    int code = execute("--profile", "steady", "--orders", "6000", "--duration", "2.5s", "--no-report");

    assertThat(code).as(err.toString()).isEqualTo(0);
    assertThat(err.toString()).contains("arrivals").contains("backlog").contains("ETA").doesNotContain("\r");
  }

  @Test
  void brokerOptionsReachTheAdapterAndABadOneIsAUsageError() {
    int ok = execute("--orders", "500", "--quiet", "--no-report", "--broker-option", "threads=1",
        "--broker-option", "drainBatch=16");
    assertThat(ok).as(err.toString()).isZero();
    assertThat(out.toString()).contains("invariants   held");

    int bad = execute("--orders", "10", "--quiet", "--no-report", "--broker-option", "bogus=1");
    assertThat(bad).isEqualTo(2);
    assertThat(err.toString()).contains("unknown in-memory broker option 'bogus'");
  }

  @Test
  void anUnknownBrokerIsAUsageErrorListingTheKnownOnes() {
    int code = execute("--broker", "carrier-pigeon", "--orders", "10");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("unknown broker 'carrier-pigeon'").contains("known brokers: in-memory");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aPipelineThatStopsMakingProgressIsReportedAsStuckAndFails() {
    int code = execute("--broker", LossyBrokerProvider.NAME, "--orders", "200", "--drain-timeout", "1", "--quiet",
        "--no-report", "--no-faults");

    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .contains("broker " + LossyBrokerProvider.NAME)
        .contains("stuck        no progress for 1 s: ")
        .contains(" of 200 placed orders not finished")
        .contains("stuck        unfinished, e.g. ord-0 (SHIPMENT_PREPARED), ord-10 (SHIPMENT_PREPARED)")
        .contains("invariants   VIOLATED")
        .contains("FAIL every accepted order fulfilled or cancelled: ");
  }

  @Test
  void invalidValuesAreUsageErrors() {
    assertThat(execute("--orders", "-1")).isEqualTo(2);
    assertThat(err.toString()).contains("--orders must be at least 1");
    assertThat(execute("--decline-rate", "1.5")).isEqualTo(2);
    assertThat(execute("--orders", "many")).isEqualTo(2);
    assertThat(execute("--no-such-flag")).isEqualTo(2);
    assertThat(execute("--profile", "cyber-monday")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown profile 'cyber-monday'");
    assertThat(execute("--duration", "1m", "--speed", "100")).isEqualTo(2);
    assertThat(execute("--duration", "soon")).isEqualTo(2);
    assertThat(execute("--outage", "warehouse")).isEqualTo(2);
    assertThat(execute("--outage", "spaceport@10%-20%")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown service 'spaceport'");
    assertThat(execute("--error-rate", "fulfillment=0.1")).isEqualTo(2);
    assertThat(err.toString()).contains("fulfillment has no port");
    assertThat(execute("--slow", "warehouse=fast")).isEqualTo(2);
    assertThat(execute("--duplicates", "2")).isEqualTo(2);
  }

  @Test
  void helpExitsZeroAndListsTheFlags() {
    int code = execute("--help");

    assertThat(code).isEqualTo(0);
    assertThat(out.toString()).contains("simulate").contains("--profile").contains("--broker").contains("--orders")
        .contains("--duration").contains("--rate").contains("--speed").contains("--seed").contains("--report")
        .contains("--events-out").contains("--quiet").contains("--outage").contains("--error-rate")
        .contains("--duplicates").contains("--slow").contains("--broker-restart").contains("--concurrency")
        .contains("--version");
    assertThat(err.toString()).doesNotContain("WARN");
  }

  @Test
  void versionExitsZero() {
    int code = execute("--version");

    assertThat(code).isEqualTo(0);
    assertThat(out.toString()).startsWith("oms-simulator ").doesNotContain("${");
  }
}
