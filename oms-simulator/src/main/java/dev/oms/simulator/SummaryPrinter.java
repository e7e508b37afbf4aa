package dev.oms.simulator;

import java.io.PrintWriter;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Prints a {@link SimulationResult} for people: counts, throughput, latencies and the audit. */
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
        r.broker(), r.ordersRequested(), r.seed()));
    long cancelled = r.audit().ordersCancelled();
    row("placed", String.format(Locale.US, "%,d   fulfilled %,d   cancelled %,d (out of stock %,d, declined %,d)",
        r.placed(), r.audit().ordersFulfilled(), cancelled, r.cancelledOutOfStock(), r.cancelledDeclined()));
    if (r.rejected() > 0) {
      row("rejected", String.format(Locale.US, "%,d at checkout, first: %s", r.rejected(), r.firstRejection()));
    }
    row("throughput", String.format(Locale.US, "%,d orders/s (placed to %s terminal, %.2f s)",
        Math.round(r.throughput()), r.drained() ? "all" : "last", r.elapsedNanos() / 1e9));
    row("checkout ack", percentiles(r.checkoutAck()));
    row("end-to-end", percentiles(r.endToEnd()));
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
    row("invariants", (r.audit().invariantsHeld() ? "held" : "VIOLATED")
        + String.format(Locale.US, " (audited %,d orders in %.2f s)", r.audit().ordersAccepted(), r.auditNanos() / 1e9));
    for (String line : r.audit().describe().split("\\R")) {
      out.println("  " + line);
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
