package dev.oms.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code ./simulate --broker kafka} as a newcomer runs it: no bootstrap address, so the simulator
 * starts a real local Kafka, and restarts it mid-run for the broker-restart fault.
 */
class KafkaSimulationTest {

  @Test
  void aRunOnALocalKafkaItStartedSurvivesARestartOfThatKafkaWithEveryInvariantHeld() {
    SimulationResult r = SimulatorMain.run(SimulatorOptions.defaults().broker("kafka").profile("steady")
        .orders(1_500).duration("12s").noFaults(true).brokerRestart("40%+2s").quiet(true));

    assertThat(r.broker()).isEqualTo("kafka");
    assertThat(r.invariantsHeld()).as(r.audit().describe()).isTrue();
    assertThat(r.succeeded()).as("stuck: %s, rejected: %s", r.stuck(), r.firstRejection()).isTrue();
    assertThat(r.terminal()).isEqualTo(1_500);
    assertThat(r.faultWindows()).singleElement().satisfies(w -> {
      assertThat(w.kind()).isEqualTo("broker restart");
      assertThat(w.end() - w.start()).as("down for the window, then back").isGreaterThanOrEqualTo(2.0);
    });
    assertThat(r.notes()).as("the restart was not skipped").isEmpty();
  }
}
