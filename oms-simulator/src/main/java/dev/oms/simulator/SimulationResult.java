package dev.oms.simulator;

import dev.oms.audit.AuditReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one run.
 *
 * @param broker the broker's name
 * @param profile the profile's name and shape, as run
 * @param plan how the profile was fitted to the command line
 * @param ordersRequested the exact number of orders asked for, or -1 when the profile decided
 * @param seed the workload's seed
 * @param placed orders checkout accepted
 * @param rejected orders checkout did not accept (the broker refused or failed)
 * @param firstRejection why the first rejected order was refused, or null
 * @param fulfilled orders that ended fulfilled, as the probe saw them
 * @param cancelledOutOfStock orders cancelled for lack of stock
 * @param cancelledDeclined orders cancelled because the payment was declined
 * @param duplicateTerminals terminal events seen for an order that had already ended
 * @param elapsedNanos from the first arrival to the last order reaching a terminal state
 * @param arrivalNanos from the first arrival to the last
 * @param drainNanos from the last arrival until every order had ended and nothing was left to deliver
 * @param checkoutAck nanoseconds from each order's intended arrival to its acknowledgement
 * @param endToEnd nanoseconds from each order's intended arrival to its terminal event
 * @param stages nanoseconds from intended arrival to each stage's event, by stage
 * @param audit the invariants, checked after the pipeline drained
 * @param shippedOversoldCount order lines the warehouse shipped beyond their SKU's initial stock
 * @param shippedOversold those orders, at most {@link dev.oms.audit.PipelineAudit#MAX_EXAMPLES}
 * @param auditNanos how long the audit took
 * @param deadLetters dead letters left after the run
 * @param retries handler failures that were retried
 * @param duplicatesInjected events the broker was made to deliver twice
 * @param portFaultsInjected port calls made to fail
 * @param maxBacklog the largest backlog over all groups that was sampled
 * @param maxBehindNanos how far behind its schedule the arrival thread fell at worst
 * @param stuck what was stuck when the run gave up waiting (one line each); empty when it drained
 * @param faults the fault plan, one line per fault
 * @param faultWindows the timed faults as they happened
 * @param notes remarks (skipped faults...)
 * @param groups the consumer groups, in the order of the timeline's backlog columns
 * @param timeline samples over the run
 * @param wallSeconds the planned wall-clock length of the arrival phase
 * @param speed time compression
 * @param rate base orders per simulated second
 * @param expectedOrders orders the plan expected
 * @param reportDir where the report was written, or null
 * @param eventsOut where the events were written, or null
 */
public record SimulationResult(
    String broker,
    String profile,
    String plan,
    long ordersRequested,
    long seed,
    long placed,
    long rejected,
    String firstRejection,
    long fulfilled,
    long cancelledOutOfStock,
    long cancelledDeclined,
    long duplicateTerminals,
    long elapsedNanos,
    long arrivalNanos,
    long drainNanos,
    Histogram checkoutAck,
    Histogram endToEnd,
    Map<String, Histogram> stages,
    AuditReport audit,
    long shippedOversoldCount,
    List<String> shippedOversold,
    long auditNanos,
    long deadLetters,
    long retries,
    long duplicatesInjected,
    long portFaultsInjected,
    long maxBacklog,
    long maxBehindNanos,
    List<String> stuck,
    List<String> faults,
    List<FaultInjector.Window> faultWindows,
    List<String> notes,
    List<String> groups,
    List<Monitor.Sample> timeline,
    double wallSeconds,
    double speed,
    double rate,
    double expectedOrders,
    Path reportDir,
    Path eventsOut) {

  /** Orders that reached a terminal state. */
  public long terminal() {
    return fulfilled + cancelledOutOfStock + cancelledDeclined;
  }

  /** Terminal orders per second, first arrival to last terminal event. */
  public double throughput() {
    return elapsedNanos <= 0 ? 0 : terminal() * 1e9 / elapsedNanos;
  }

  /** The most orders finished per second in one sampling interval (of at least 100 ms). */
  public double peakThroughput() {
    double peak = 0;
    Monitor.Sample previous = null;
    for (Monitor.Sample s : timeline) {
      if (previous != null && s.t() - previous.t() >= 0.1) {
        peak = Math.max(peak, (s.completed() - previous.completed()) / (s.t() - previous.t()));
      }
      if (previous == null || s.t() - previous.t() >= 0.1) {
        previous = s;
      }
    }
    return peak;
  }

  public boolean drained() {
    return stuck.isEmpty();
  }

  /** Accepted orders that never reached a terminal state. */
  public long lost() {
    return audit.notTerminalCount();
  }

  /** SKUs whose stock accounts don't add up, plus order lines shipped beyond a SKU's stock. */
  public long oversold() {
    return audit.oversoldCount() + shippedOversoldCount;
  }

  /** Every invariant of the audit held and nothing shipped beyond stock. */
  public boolean invariantsHeld() {
    return audit.invariantsHeld() && shippedOversoldCount == 0;
  }

  /** Every order placed and ended exactly once, and every invariant held. */
  public boolean succeeded() {
    return invariantsHeld() && drained() && rejected == 0 && duplicateTerminals == 0;
  }

  SimulationResult withReport(Path dir) {
    return new SimulationResult(broker, profile, plan, ordersRequested, seed, placed, rejected, firstRejection,
        fulfilled, cancelledOutOfStock, cancelledDeclined, duplicateTerminals, elapsedNanos, arrivalNanos, drainNanos,
        checkoutAck, endToEnd, stages, audit, shippedOversoldCount, shippedOversold, auditNanos, deadLetters, retries,
        duplicatesInjected, portFaultsInjected, maxBacklog, maxBehindNanos, stuck, faults, faultWindows, notes, groups,
        timeline, wallSeconds, speed, rate, expectedOrders, dir, eventsOut);
  }
}
