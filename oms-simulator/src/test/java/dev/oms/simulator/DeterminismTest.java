package dev.oms.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same seed gives the same run: the same orders at the same times and, when nothing races for
 * stock, the same outcomes. Stock races come from concurrency (two handlers reserving at once) and
 * from declined orders, whose reservation comes back at a moment that depends on thread
 * scheduling; with one handler per group and no declines, every order's fate is fixed by the seed.
 */
class DeterminismTest {

  private static SimulationResult run(long seed, Path events) {
    return SimulatorMain.run(SimulatorOptions.defaults().orders(2_500).seed(seed).concurrency(1).declineRate(0).noFaults(true)
        .quiet(true).eventsOut(events));
  }

  private static List<String> outcomes(Path events) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(events)) {
      JsonNode e = json.readTree(line);
      lines.add(e.get("subject").asText() + " " + e.get("type").asText() + " " + e.get("data").path("lines")
          + e.get("data").path("reason").asText(""));
    }
    lines.sort(null);
    return lines;
  }

  @Test
  void theSameSeedGivesTheSameOrdersAndOutcomes(@TempDir Path dir) throws Exception {
    SimulationResult a = run(11, dir.resolve("a.jsonl"));
    SimulationResult b = run(11, dir.resolve("b.jsonl"));
    SimulationResult c = run(12, dir.resolve("c.jsonl"));

    for (SimulationResult r : List.of(a, b, c)) {
      assertThat(r.succeeded()).as(r.audit().describe()).isTrue();
    }
    assertThat(a.cancelledOutOfStock()).as("doorbusters sell out").isPositive();
    assertThat(List.of(b.fulfilled(), b.cancelledOutOfStock())).isEqualTo(List.of(a.fulfilled(), a.cancelledOutOfStock()));
    List<String> first = outcomes(dir.resolve("a.jsonl"));
    assertThat(outcomes(dir.resolve("b.jsonl"))).as("every order's events and contents").isEqualTo(first);
    assertThat(outcomes(dir.resolve("c.jsonl"))).isNotEqualTo(first);
  }
}
