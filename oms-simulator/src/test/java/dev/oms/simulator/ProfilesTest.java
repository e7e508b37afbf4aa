package dev.oms.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.oms.OmsService;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilesTest {

  @Test
  void blackFridayRampsUsersTo9Point5xWithSpikesUpTo200xAndPlansFaults() {
    Profile p = Profiles.load("black-friday");

    assertThat(p.durationSeconds()).isEqualTo(86_400);
    assertThat(p.wallSeconds()).as("a day in a minute").isEqualTo(60);
    assertThat(p.peakUsers()).isEqualTo(9.5);
    assertThat(p.peakSpike()).isEqualTo(200);
    assertThat(p.multiplier(0.001)).as("the midnight doorbuster drop").isEqualTo(200);
    assertThat(p.multiplier(15 / 24.0)).isEqualTo(9.5);
    assertThat(p.multiplier(5 / 24.0)).isLessThan(3);
    assertThat(p.catalog().doorbusters()).isPositive();
    assertThat(p.warehouseCapacity()).as("packing keeps up with the users peak, not with the spikes")
        .isBetween(p.peakUsers(), p.peakSpike());
    assertThat(p.faults().outages()).singleElement()
        .isEqualTo(new FaultPlan.Outage(OmsService.WAREHOUSE, 13 / 24.0, 14 / 24.0));
    assertThat(p.faults().duplicates()).isPositive();
  }

  @Test
  void everyBuiltInProfileLoads() {
    for (String name : Profiles.BUILT_IN) {
      Profile p = Profiles.load(name);
      assertThat(p.name()).isEqualTo(name);
      assertThat(ArrivalSchedule.expectedOrders(p)).as(name).isBetween(100_000.0, 1_000_000.0);
    }
  }

  @Test
  void aYamlFileCanStartFromABuiltInAndOverrideKeys(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cyber-monday.yaml");
    Files.writeString(file, """
        base: black-friday
        name: cyber-monday
        rate: 2
        users:
          - {at: 0, x: 1}
          - {at: "50%", x: 4}
          - {at: "18:00", x: 2}
        spikes:
          - {from: "09:00", to: "09:30", x: 50}
        faults:
          outages: [{service: notification, from: 10%, for: 2h}]
          slow: [{service: payment, delay: 1ms}]
          brokerRestarts: [{at: "12:00", downtime: 10s}]
        """);

    Profile p = Profiles.load(file.toString());

    assertThat(p.name()).isEqualTo("cyber-monday");
    assertThat(p.rate()).isEqualTo(2);
    assertThat(p.speed()).as("inherited").isEqualTo(1440);
    assertThat(p.multiplier(0.25)).isCloseTo(2.5, within(1e-9));
    assertThat(p.multiplier(9.25 / 24)).isEqualTo(50);
    assertThat(p.faults().outages()).singleElement().satisfies(o -> {
      assertThat(o.service()).isEqualTo(OmsService.NOTIFICATION);
      assertThat(o.to() - o.from()).isCloseTo(2 / 24.0, within(1e-9));
    });
    assertThat(p.faults().slow().get(0).delayNanos()).isEqualTo(1_000_000);
    assertThat(p.faults().slow().get(0).service()).isEqualTo(OmsService.ORDER);
    assertThat(p.faults().restarts()).containsExactly(new FaultPlan.Restart(0.5, 10));
    assertThat(p.faults().duplicates()).as("faults replaced as a whole").isZero();
  }

  @Test
  void aJsonFileLoadsAndMissingKeysComeFromSteady(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tiny.json");
    Files.writeString(file, "{\"duration\": \"10m\", \"rate\": 50, \"catalog\": {\"skus\": 100, \"doorbusters\": 2}}");

    Profile p = Profiles.load(file.toString());

    assertThat(p.durationSeconds()).isEqualTo(600);
    assertThat(p.speed()).isEqualTo(60);
    assertThat(p.catalog().skus()).isEqualTo(100);
    assertThat(p.basket().lines()).hasSize(5);
    assertThat(p.faults().isEmpty()).isTrue();
  }

  @Test
  void badProfilesSayWhatIsWrong(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> Profiles.load("nope")).hasMessageContaining("unknown profile 'nope'")
        .hasMessageContaining("black-friday");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "rate: -3\n");
    assertThatThrownBy(() -> Profiles.load(bad.toString())).hasMessageContaining("rate must be positive");
    Files.writeString(bad, "basket: {lines: [0.5, 0.2]}\n");
    assertThatThrownBy(() -> Profiles.load(bad.toString())).hasMessageContaining("basket.lines must sum to 1");
    Files.writeString(bad, "faults: {outages: [{service: warehouse, from: 25:00, to: 26:00}]}\n");
    assertThatThrownBy(() -> Profiles.load(bad.toString())).hasMessageContaining("must lie within the run");
    Files.writeString(bad, "faults: {errors: [{service: fulfillment, rate: 0.1}]}\n");
    assertThatThrownBy(() -> Profiles.load(bad.toString())).hasMessageContaining("fulfillment has no port");
    Files.writeString(bad, "{ not yaml: [");
    assertThatThrownBy(() -> Profiles.load(bad.toString())).hasMessageContaining("not valid YAML or JSON");
  }
}
