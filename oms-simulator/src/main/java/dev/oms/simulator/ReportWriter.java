package dev.oms.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Writes a run's report: {@code summary.json} (the figures and the invariants, for machines) and
 * {@code report.html}, one self-contained page (inline CSS, inline script drawing inline SVG, the
 * data embedded; nothing fetched from anywhere) with charts of throughput, latency percentiles and
 * backlog per service over time, fault windows shaded.
 */
final class ReportWriter {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportWriter() {}

  static void write(SimulationResult r, Path dir) throws IOException {
    Files.createDirectories(dir);
    ObjectNode summary = summary(r);
    Files.writeString(dir.resolve("summary.json"), JSON.writeValueAsString(summary) + "\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("report.html"), html(r, summary), StandardCharsets.UTF_8);
  }

  static ObjectNode summary(SimulationResult r) {
    ObjectNode s = JSON.createObjectNode();
    s.put("ordersPlaced", r.placed());
    s.put("ordersFulfilled", r.audit().ordersFulfilled());
    s.put("ordersCancelled", r.audit().ordersCancelled());
    s.put("lost", r.lost());
    s.put("oversold", r.oversold());
    s.put("doubleCharged", r.audit().doubleChargedCount());
    s.put("ordersPerSecond", round(r.throughput(), 1));
    s.set("checkoutLatencyMs", latency(r.checkoutAck()));
    s.set("endToEndLatencyMs", latency(r.endToEnd()));
    s.put("maxBacklog", r.maxBacklog());
    s.put("drainSeconds", r.drainNanos() >= 0 ? round(r.drainNanos() / 1e9, 3) : -1);
    s.put("invariantsHeld", r.invariantsHeld());
    s.put("peakOrdersPerSecond", Math.round(r.peakThroughput()));
    s.put("succeeded", r.succeeded());
    s.put("profile", r.profile());
    s.put("plan", r.plan());
    s.put("broker", r.broker());
    s.put("seed", r.seed());
    s.put("speed", round(r.speed(), 3));
    s.put("baseRate", round(r.rate(), 4));
    s.put("expectedOrders", Math.round(r.expectedOrders()));
    s.put("ordersRejected", r.rejected());
    s.put("cancelledOutOfStock", r.cancelledOutOfStock());
    s.put("cancelledDeclined", r.cancelledDeclined());
    s.put("arrivalSeconds", round(r.arrivalNanos() / 1e9, 3));
    s.put("elapsedSeconds", round(r.elapsedNanos() / 1e9, 3));
    s.put("maxBehindScheduleMs", round(r.maxBehindNanos() / 1e6, 3));
    ObjectNode stages = s.putObject("stageLatencyMs");
    r.stages().forEach((name, h) -> stages.set(name, latency(h)));
    ObjectNode inv = s.putObject("invariants");
    var a = r.audit();
    rule(inv, "everyOrderTerminal", a.notTerminalCount(), a.notTerminal());
    rule(inv, "noSkuOversold", a.oversoldCount(), a.oversoldSkus());
    rule(inv, "noOrderShippedBeyondStock", r.shippedOversoldCount(), r.shippedOversold());
    rule(inv, "noDoubleCharge", a.doubleChargedCount(), a.doubleCharged());
    rule(inv, "cancelledChargesRefunded", a.unrefundedCount(), a.cancelledButCharged());
    rule(inv, "fulfilledOrdersPaid", a.fulfilledUnpaidCount(), a.fulfilledUnpaid());
    rule(inv, "cancelledOrdersHoldNoStock", a.stockNotReleasedCount(), a.stockNotReleased());
    rule(inv, "customerNotifiedOfEveryStep", a.missingNotificationsCount(), a.missingNotifications());
    ObjectNode resilience = s.putObject("resilience");
    resilience.put("portFailuresInjected", r.portFaultsInjected());
    resilience.put("retries", r.retries());
    resilience.put("duplicateDeliveries", r.duplicatesInjected());
    resilience.put("deadLetters", r.deadLetters());
    resilience.put("duplicateTerminals", r.duplicateTerminals());
    ArrayNode faults = s.putArray("faults");
    r.faults().forEach(faults::add);
    ArrayNode windows = s.putArray("faultWindows");
    for (FaultInjector.Window w : r.faultWindows()) {
      ObjectNode o = windows.addObject();
      o.put("kind", w.kind());
      o.put("target", w.target());
      o.put("startSeconds", round(w.start(), 3));
      if (!Double.isNaN(w.end())) {
        o.put("endSeconds", round(w.end(), 3));
      }
    }
    ArrayNode notes = s.putArray("notes");
    r.notes().forEach(notes::add);
    ArrayNode stuck = s.putArray("stuck");
    r.stuck().forEach(stuck::add);
    return s;
  }

  private static void rule(ObjectNode inv, String name, long count, List<String> examples) {
    ObjectNode o = inv.putObject(name);
    o.put("held", count == 0);
    o.put("violations", count);
    ArrayNode e = o.putArray("examples");
    examples.forEach(e::add);
  }

  private static ObjectNode latency(Histogram h) {
    ObjectNode o = JSON.createObjectNode();
    o.put("count", h.getTotalCount());
    o.put("p50", ms(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50)));
    o.put("p99", ms(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99)));
    o.put("p999", ms(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99.9)));
    o.put("max", ms(h.getTotalCount() == 0 ? 0 : h.getMaxValue()));
    return o;
  }

  private static double ms(long nanos) {
    return round(nanos / 1e6, 4);
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  /** The timeline as compact arrays for the page's script. */
  static ObjectNode chartData(SimulationResult r) {
    ObjectNode d = JSON.createObjectNode();
    ArrayNode t = d.putArray("t");
    ArrayNode scheduled = d.putArray("scheduled");
    ArrayNode arrivals = d.putArray("arrivals");
    ArrayNode accepted = d.putArray("accepted");
    ArrayNode completed = d.putArray("completed");
    ArrayNode ack = d.putArray("ack");
    ArrayNode e2e = d.putArray("e2e");
    ArrayNode groups = d.putArray("groups");
    r.groups().forEach(groups::add);
    ArrayNode backlog = d.putArray("backlog");
    double prevT = 0;
    double prevS = 0;
    long prevA = 0;
    long prevC = 0;
    long prevD = 0;
    for (Monitor.Sample s : r.timeline()) {
      double dt = s.t() - prevT;
      if (dt <= 0) {
        continue;
      }
      t.add(round(s.t(), 3));
      scheduled.add(Math.round((s.scheduled() - prevS) / dt));
      arrivals.add(Math.round((s.arrivals() - prevA) / dt));
      accepted.add(Math.round((s.accepted() - prevC) / dt));
      completed.add(Math.round((s.completed() - prevD) / dt));
      ack.add(percentileArray(s.ack()));
      e2e.add(percentileArray(s.endToEnd()));
      ArrayNode b = backlog.addArray();
      for (long v : s.groupBacklog()) {
        b.add(v);
      }
      prevT = s.t();
      prevS = s.scheduled();
      prevA = s.arrivals();
      prevC = s.accepted();
      prevD = s.completed();
    }
    ArrayNode windows = d.putArray("faults");
    for (FaultInjector.Window w : r.faultWindows()) {
      ObjectNode o = windows.addObject();
      o.put("label", w.kind() + " " + w.target());
      o.put("start", round(w.start(), 3));
      o.put("end", Double.isNaN(w.end()) ? round(prevT, 3) : round(w.end(), 3));
    }
    d.put("lastArrival", round(r.arrivalNanos() / 1e9, 3));
    return d;
  }

  private static ArrayNode percentileArray(double[] p) {
    ArrayNode a = JSON.createArrayNode();
    if (p != null) {
      for (double v : p) {
        a.add(round(v, 4));
      }
    }
    return a;
  }

  static String html(SimulationResult r, ObjectNode summary) throws IOException {
    String template;
    try (InputStream in = ReportWriter.class.getResourceAsStream("report-template.html")) {
      if (in == null) {
        throw new IOException("report-template.html is missing from the jar");
      }
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    StringBuilder facts = new StringBuilder();
    fact(facts, "Profile", r.profile());
    fact(facts, "Plan", r.plan());
    fact(facts, "Broker", r.broker() + ", seed " + r.seed());
    fact(facts, "Orders", String.format(Locale.US, "%,d placed: %,d fulfilled, %,d cancelled (%,d out of stock, "
        + "%,d declined)%s", r.placed(), r.audit().ordersFulfilled(), r.audit().ordersCancelled(),
        r.cancelledOutOfStock(), r.cancelledDeclined(),
        r.rejected() > 0 ? String.format(Locale.US, ", %,d rejected", r.rejected()) : ""));
    fact(facts, "Throughput", String.format(Locale.US, "%,.0f orders/s; arrivals over %.1f s, drained %s; peak "
        + "backlog %,d events", r.throughput(), r.arrivalNanos() / 1e9,
        r.drainNanos() >= 0 ? String.format(Locale.US, "%.2f s after the last arrival", r.drainNanos() / 1e9)
            : "never", r.maxBacklog()));
    fact(facts, "Faults", r.faults().isEmpty() ? "none" : String.join("; ", r.faults()));
    fact(facts, "Resilience", String.format(Locale.US, "%,d port failures injected, %,d retries, %,d duplicate "
        + "deliveries, %,d dead letters", r.portFaultsInjected(), r.retries(), r.duplicatesInjected(), r.deadLetters()));
    for (String note : r.notes()) {
      fact(facts, "Note", note);
    }

    StringBuilder latencies = new StringBuilder();
    latencyRow(latencies, "checkout acknowledgement", r.checkoutAck());
    latencyRow(latencies, "end to end", r.endToEnd());
    for (Map.Entry<String, Histogram> e : r.stages().entrySet()) {
      latencyRow(latencies, "stage: " + e.getKey(), e.getValue());
    }

    StringBuilder invariants = new StringBuilder();
    var inv = summary.get("invariants");
    inv.fields().forEachRemaining(e -> {
      boolean held = e.getValue().get("held").asBoolean();
      invariants.append("<tr class=\"").append(held ? "ok" : "fail").append("\"><td>").append(held ? "held" : "VIOLATED")
          .append("</td><td>").append(esc(e.getKey())).append("</td><td>").append(e.getValue().get("violations").asLong())
          .append("</td><td>");
      e.getValue().get("examples").forEach(x -> invariants.append(esc(x.asText())).append(' '));
      invariants.append("</td></tr>\n");
    });

    String data;
    try {
      data = JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(chartData(r));
    } catch (JsonProcessingException e) {
      throw new IOException(e);
    }
    return template
        .replace("{{verdict}}", r.succeeded() ? "every invariant held" : "INVARIANTS VIOLATED")
        .replace("{{verdictClass}}", r.succeeded() ? "ok" : "fail")
        .replace("{{facts}}", facts)
        .replace("{{latencies}}", latencies)
        .replace("{{invariants}}", invariants)
        .replace("{{data}}", data.replace("</", "<\\/"));
  }

  private static void fact(StringBuilder b, String label, String text) {
    b.append("<tr><th>").append(esc(label)).append("</th><td>").append(esc(text)).append("</td></tr>\n");
  }

  private static void latencyRow(StringBuilder b, String label, Histogram h) {
    b.append("<tr><td>").append(esc(label)).append("</td><td>").append(h.getTotalCount()).append("</td>");
    for (double p : new double[] {50, 99, 99.9}) {
      b.append("<td>").append(fmt(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p))).append("</td>");
    }
    b.append("<td>").append(fmt(h.getTotalCount() == 0 ? 0 : h.getMaxValue())).append("</td></tr>\n");
  }

  private static String fmt(long nanos) {
    return String.format(Locale.US, "%.3f", nanos / 1e6);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
