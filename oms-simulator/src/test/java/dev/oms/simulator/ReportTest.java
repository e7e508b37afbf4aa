package dev.oms.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code --report} and {@code --events-out} write. */
class ReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;
  static SimulationResult result;

  @BeforeAll
  static void run() {
    result = SimulatorMain.run(SimulatorOptions.defaults().orders(3_000).duration("1.5s").quiet(true)
        .report(dir.resolve("report")).eventsOut(dir.resolve("events.jsonl")));
    assertThat(result.succeeded()).as(result.audit().describe()).isTrue();
  }

  @Test
  void summaryJsonHasTheAgreedKeys() throws Exception {
    JsonNode s = JSON.readTree(dir.resolve("report/summary.json").toFile());

    for (String key : List.of("ordersPlaced", "ordersFulfilled", "ordersCancelled", "lost", "oversold",
        "doubleCharged", "ordersPerSecond", "maxBacklog", "drainSeconds", "invariantsHeld")) {
      assertThat(s.has(key)).as(key).isTrue();
    }
    for (String latency : List.of("checkoutLatencyMs", "endToEndLatencyMs")) {
      for (String p : List.of("p50", "p99", "p999", "max")) {
        assertThat(s.at("/" + latency + "/" + p).isNumber()).as(latency + "." + p).isTrue();
      }
      assertThat(s.at("/" + latency + "/p50").asDouble()).isLessThanOrEqualTo(s.at("/" + latency + "/max").asDouble());
    }
    assertThat(s.get("ordersPlaced").asLong()).isEqualTo(3_000);
    assertThat(s.get("ordersFulfilled").asLong() + s.get("ordersCancelled").asLong()).isEqualTo(3_000);
    assertThat(s.get("lost").asLong()).isZero();
    assertThat(s.get("oversold").asLong()).isZero();
    assertThat(s.get("doubleCharged").asLong()).isZero();
    assertThat(s.get("invariantsHeld").asBoolean()).isTrue();
    assertThat(s.get("ordersPerSecond").asDouble()).isPositive();
    assertThat(s.get("drainSeconds").asDouble()).isGreaterThanOrEqualTo(0);
    assertThat(s.get("maxBacklog").asLong()).isPositive();
  }

  @Test
  void theHtmlReportIsSelfContained() throws Exception {
    String html = Files.readString(dir.resolve("report/report.html"));

    assertThat(html).contains("<svg").doesNotContain("{{");
    assertThat(html).as("no URL anywhere").doesNotContain("http://").doesNotContain("https://");
    Matcher refs = Pattern.compile("(?i)\\b(src|href|xlink:href|action)\\s*=").matcher(html);
    assertThat(refs.find()).as("no src/href attribute at all").isFalse();
    assertThat(html).doesNotContainPattern("(?i)url\\(").doesNotContainPattern("(?i)@import");
    assertThat(html).contains("id=\"throughput\"").contains("id=\"latency\"").contains("id=\"backlog\"")
        .contains("outage warehouse").as("the black-friday warehouse outage is marked");
  }

  @Test
  void everyEventIsOneCloudEventPerLine() throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve("events.jsonl"));
    Set<String> ids = new HashSet<>();
    Set<String> created = new HashSet<>();
    for (String line : lines) {
      JsonNode e = JSON.readTree(line);
      assertThat(e.get("specversion").asText()).isEqualTo("1.0");
      assertThat(e.get("type").asText()).startsWith("dev.oms.");
      assertThat(e.get("subject").asText()).startsWith("ord-");
      assertThat(e.has("source") && e.has("time") && e.has("data")).isTrue();
      assertThat(ids.add(e.get("id").asText())).as("each event once").isTrue();
      if (e.get("type").asText().equals("dev.oms.order.created")) {
        created.add(e.get("subject").asText());
      }
    }
    assertThat(created).hasSize(3_000);
    assertThat(lines.size()).as("about six events per order").isGreaterThan(5 * 3_000);
  }
}
