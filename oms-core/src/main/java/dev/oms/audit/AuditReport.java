package dev.oms.audit;

import java.util.List;

/**
 * The invariants of a pipeline run, checked after it drained. Each list names the orders (or
 * SKUs) that broke a rule, at most {@link PipelineAudit#MAX_EXAMPLES} of them; the counts are exact.
 */
public record AuditReport(
    long ordersAccepted,
    long ordersFulfilled,
    long ordersCancelled,
    long notTerminalCount,
    List<String> notTerminal,
    long oversoldCount,
    List<String> oversoldSkus,
    long doubleChargedCount,
    List<String> doubleCharged,
    long unrefundedCount,
    List<String> cancelledButCharged,
    long fulfilledUnpaidCount,
    List<String> fulfilledUnpaid,
    long stockNotReleasedCount,
    List<String> stockNotReleased,
    long missingNotificationsCount,
    List<String> missingNotifications) {

  /** True when no order was lost, no SKU oversold, nobody charged twice or left charged for a cancelled order. */
  public boolean invariantsHeld() {
    return notTerminalCount == 0 && oversoldCount == 0 && doubleChargedCount == 0 && unrefundedCount == 0
        && fulfilledUnpaidCount == 0 && stockNotReleasedCount == 0 && missingNotificationsCount == 0;
  }

  /** One line per rule, for terminals and logs. */
  public String describe() {
    return String.join(System.lineSeparator(),
        line("every accepted order fulfilled or cancelled", notTerminalCount, notTerminal),
        line("no SKU oversold", oversoldCount, oversoldSkus),
        line("no order charged twice", doubleChargedCount, doubleCharged),
        line("every cancelled charged order refunded", unrefundedCount, cancelledButCharged),
        line("every fulfilled order paid", fulfilledUnpaidCount, fulfilledUnpaid),
        line("cancelled orders hold no stock", stockNotReleasedCount, stockNotReleased),
        line("customer notified of every step", missingNotificationsCount, missingNotifications));
  }

  private static String line(String rule, long violations, List<String> examples) {
    return (violations == 0 ? "  ok   " : "  FAIL ") + rule
        + (violations == 0 ? "" : ": " + violations + " violation(s), e.g. " + examples);
  }
}
