package dev.oms.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders report.html in headless Chromium (Debian's {@code chromium}, when installed) and fails
 * on a JavaScript error: the page marks its body {@code data-rendered="ok"} once every chart is
 * drawn, and {@code window.onerror} marks it {@code data-js-error}.
 */
class ChromiumReportTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @Test
  void theReportRendersInHeadlessChromiumWithoutAJavaScriptError(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM + "; skipping the render check");
    SimulationResult result = SimulatorMain.run(SimulatorOptions.defaults().orders(2_000).duration("1s").quiet(true)
        .report(dir.resolve("report")));
    assertThat(result.reportDir()).isNotNull();
    Path page = dir.resolve("report/report.html").toAbsolutePath();

    List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("profile"),
        "--virtual-time-budget=5000", "--dump-dom", page.toUri().toString()));
    Process chromium = new ProcessBuilder(command).redirectError(dir.resolve("chromium.log").toFile())
        .redirectOutput(dir.resolve("dom.html").toFile()).start();
    boolean finished = chromium.waitFor(120, TimeUnit.SECONDS);
    if (!finished) {
      chromium.destroyForcibly();
    }
    assertThat(finished).as("chromium finished within 120 s").isTrue();
    String html = Files.readString(dir.resolve("dom.html"), StandardCharsets.UTF_8);

    assertThat(html).as("chromium printed the page (log: %s)", Files.readString(dir.resolve("chromium.log")))
        .contains("OMS simulation report");
    assertThat(html).as("window.onerror marked no error").doesNotContainPattern("<body[^>]*data-js-error");
    assertThat(html).as("the script ran to its end").containsPattern("<body[^>]*data-rendered=\"ok\"");
    assertThat(html).as("three charts drawn").containsPattern("(?s)(<svg.*){3}");
  }
}
