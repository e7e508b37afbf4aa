package dev.oms.simulator;

import dev.oms.audit.AuditReport;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one run.
 *
 * @param broker the broker's name
 * @param ordersRequested orders the run was asked to place
 * @param seed the workload's seed
 * @param placed orders checkout accepted
 * @param rejected orders checkout did not accept (the broker refused or failed)
 * @param firstRejection why the first rejected order was refused, or null
 * @param fulfilled orders that ended fulfilled, as the probe saw them
 * @param cancelledOutOfStock orders cancelled for lack of stock
 * @param cancelledDeclined orders cancelled because the payment was declined
 * @param duplicateTerminals terminal events seen for an order that had already ended
 * @param elapsedNanos from the first placement to the last order reaching a terminal state
 * @param checkoutAck nanoseconds from calling checkout to its acknowledgement
 * @param endToEnd nanoseconds from calling checkout to the order's terminal event
 * @param audit the invariants, checked after the pipeline drained
 * @param auditNanos how long the audit took
 * @param deadLetters dead letters left after the run
 * @param stuck what was stuck when the run gave up waiting (one line each); empty when it drained
 */
public record SimulationResult(
    String broker,
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
    Histogram checkoutAck,
    Histogram endToEnd,
    AuditReport audit,
    long auditNanos,
    long deadLetters,
    List<String> stuck) {

  /** Orders that reached a terminal state. */
  public long terminal() {
    return fulfilled + cancelledOutOfStock + cancelledDeclined;
  }

  /** Terminal orders per second, first placement to last terminal event. */
  public double throughput() {
    return elapsedNanos <= 0 ? 0 : terminal() * 1e9 / elapsedNanos;
  }

  public boolean drained() {
    return stuck.isEmpty();
  }

  /** Every order placed and ended exactly once, and every invariant held. */
  public boolean succeeded() {
    return audit.invariantsHeld() && drained() && rejected == 0 && duplicateTerminals == 0;
  }
}
