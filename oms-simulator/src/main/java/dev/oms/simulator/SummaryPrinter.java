package dev.oms.simulator;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Prints a {@link SimulationResult} for people: counts, throughput, latencies, faults and the audit. */
final class SummaryPrinter {
  private final PrintWriter out;
  private final boolean unicode;

  /**
   * @param unicode whether the output can show "µ" and "—" (otherwise "us" and "-")
   */
  SummaryPrinter(PrintWriter out, boolean unicode) {
    this.out = out;
    this.unicode = unicode;
  }

  void print(SimulationResult r) {
    out.println(String.format(Locale.US, "OMS simulator %s broker %s, %,d orders, seed %d", unicode ? "\u2014" : "-",
        r.broker(), r.placed() + r.rejected(), r.seed()));
    row("profile", r.profile());
    row("plan", String.format(Locale.US, "%s; arrivals over %.1f s (%.1f s planned)", r.plan(), r.arrivalNanos() / 1e9,
        r.wallSeconds()));
    long cancelled = r.audit().ordersCancelled();
    row("placed", String.format(Locale.US, "%,d   fulfilled %,d   cancelled %,d (out of stock %,d, declined %,d)",
        r.placed(), r.audit().ordersFulfilled(), cancelled, r.cancelledOutOfStock(), r.cancelledDeclined()));
    if (r.rejected() > 0) {
      row("rejected", String.format(Locale.US, "%,d at checkout, first: %s", r.rejected(), r.firstRejection()));
    }
    row("throughput", String.format(Locale.US, "%,d orders/s (first arrival to %s terminal, %.2f s), peak %,d/s; "
        + "peak backlog %,d", Math.round(r.throughput()), r.drained() ? "all" : "last", r.elapsedNanos() / 1e9,
        Math.round(r.peakThroughput()), r.maxBacklog()));
    row("drain", r.drainNanos() >= 0 ? String.format(Locale.US, "%.2f s after the last arrival", r.drainNanos() / 1e9)
        : "did not drain");
    row("checkout ack", percentiles(r.checkoutAck()));
    row("end-to-end", percentiles(r.endToEnd()));
    for (Map.Entry<String, Histogram> stage : r.stages().entrySet()) {
      if (stage.getValue().getTotalCount() > 0) {
        row("", String.format(Locale.US, "%-18s %s", stage.getKey(), percentiles(stage.getValue())));
      }
    }
    if (r.maxBehindNanos() > 1_000_000) {
      row("arrivals", "fell behind schedule by up to " + duration(r.maxBehindNanos())
          + " (latencies count from the intended arrival)");
    }
    for (String fault : r.faults()) {
      row("fault", fault);
    }
    if (r.retries() > 0 || r.duplicatesInjected() > 0 || r.portFaultsInjected() > 0) {
      row("resilience", String.format(Locale.US, "%,d port failures injected, %,d retries, %,d duplicate deliveries",
          r.portFaultsInjected(), r.retries(), r.duplicatesInjected()));
    }
    if (r.duplicateTerminals() > 0) {
      row("duplicates", String.format(Locale.US, "%,d terminal events for orders that had already ended",
          r.duplicateTerminals()));
    }
    if (r.deadLetters() > 0) {
      row("dead letters", String.format(Locale.US, "%,d", r.deadLetters()));
    }
    for (String line : r.stuck()) {
      row("stuck", line);
    }
    for (String note : r.notes()) {
      row("note", note);
    }
    row("invariants", (r.invariantsHeld() ? "held" : "VIOLATED")
        + String.format(Locale.US, " (audited %,d orders in %.2f s)", r.audit().ordersAccepted(), r.auditNanos() / 1e9));
    for (String line : r.audit().describe().split("\\R")) {
      out.println("  " + line);
    }
    out.println("  " + (r.shippedOversoldCount() == 0 ? "  ok   no order shipped beyond its SKU's stock"
        : "  FAIL no order shipped beyond its SKU's stock: " + r.shippedOversoldCount() + " line(s), e.g. "
            + r.shippedOversold()));
    if (r.reportDir() != null) {
      row("report", r.reportDir().resolve("report.html") + " and summary.json");
    }
    out.flush();
  }

  private void row(String label, String text) {
    out.println(String.format(Locale.US, "  %-12s %s", label, text));
  }

  private String percentiles(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "no samples";
    }
    return String.format(Locale.US, "p50 %-9s p99 %-9s p99.9 %-9s max %s",
        duration(h.getValueAtPercentile(50)), duration(h.getValueAtPercentile(99)),
        duration(h.getValueAtPercentile(99.9)), duration(h.getMaxValue()));
  }

  /** Nanoseconds in the largest unit that keeps the number at least 1, with two or three digits. */
  String duration(long nanos) {
    String micro = unicode ? "\u00b5s" : "us";
    if (nanos < 1_000) {
      return nanos + " ns";
    } else if (nanos < 1_000_000) {
      return scaled(nanos / 1e3, micro);
    } else if (nanos < 1_000_000_000) {
      return scaled(nanos / 1e6, "ms");
    }
    return scaled(nanos / 1e9, "s");
  }

  private static String scaled(double value, String unit) {
    return (value < 10 ? String.format(Locale.US, "%.1f", value) : String.format(Locale.US, "%.0f", value))
        + " " + unit;
  }
}
