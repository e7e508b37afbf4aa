package dev.oms.simulator;

import dev.oms.OmsService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The faults of a run, from the profile and the command line. Windows are fractions (0 to 1) of the
 * arrival phase.
 *
 * @param outages services paused for a window (pause/resume of their subscription)
 * @param errors ports that fail a fraction of their calls (each failing call succeeds when retried)
 * @param slow ports that take extra wall-clock time per call, during a window
 * @param duplicates fraction of events the broker delivers twice (the same event id)
 * @param restarts broker restarts, for brokers that can restart (see {@link BrokerRestarter})
 */
public record FaultPlan(List<Outage> outages, List<ErrorRate> errors, List<Slow> slow, double duplicates,
    List<Restart> restarts) {

  public static final FaultPlan NONE = new FaultPlan(List.of(), List.of(), List.of(), 0, List.of());

  /** A service down from {@code from} to {@code to}. */
  public record Outage(OmsService service, double from, double to) {}

  /** The port of {@code service} fails a {@code rate} fraction of calls (once each; the retry succeeds). */
  public record ErrorRate(OmsService service, double rate) {}

  /** The port of {@code service} takes {@code delayNanos} longer per call from {@code from} to {@code to}. */
  public record Slow(OmsService service, long delayNanos, double from, double to) {}

  /** The broker restarts at {@code at}, staying down {@code downtimeSeconds} (wall clock). */
  public record Restart(double at, double downtimeSeconds) {}

  /** This plan plus {@code other}'s faults; {@code other}'s duplicate rate wins when set. */
  public FaultPlan plus(FaultPlan other) {
    return new FaultPlan(concat(outages, other.outages), concat(errors, other.errors), concat(slow, other.slow),
        other.duplicates > 0 ? other.duplicates : duplicates, concat(restarts, other.restarts));
  }

  public boolean isEmpty() {
    return outages.isEmpty() && errors.isEmpty() && slow.isEmpty() && duplicates == 0 && restarts.isEmpty();
  }

  /** The error rate of {@code service}'s port, 0 when none. */
  double errorRate(OmsService service) {
    return errors.stream().filter(e -> e.service() == service).mapToDouble(ErrorRate::rate).max().orElse(0);
  }

  List<Slow> slow(OmsService service) {
    return slow.stream().filter(s -> s.service() == service).toList();
  }

  /** One line per fault, for the summary. */
  List<String> describe() {
    List<String> lines = new ArrayList<>();
    outages.forEach(o -> lines.add(String.format(Locale.US, "%s down %s-%s", name(o.service()), pct(o.from()),
        pct(o.to()))));
    errors.forEach(e -> lines.add(String.format(Locale.US, "%s port fails %.2f%% of calls", name(e.service()),
        e.rate() * 100)));
    slow.forEach(s -> lines.add(String.format(Locale.US, "%s port +%s per call %s-%s", name(s.service()),
        Durations.formatNanos(s.delayNanos()), pct(s.from()), pct(s.to()))));
    if (duplicates > 0) {
      lines.add(String.format(Locale.US, "%.2f%% of events delivered twice", duplicates * 100));
    }
    restarts.forEach(r -> lines.add(String.format(Locale.US, "broker restart at %s (%s down)", pct(r.at()),
        Durations.format(r.downtimeSeconds()))));
    return lines;
  }

  static String name(OmsService service) {
    return service.group();
  }

  static String pct(double f) {
    return String.format(Locale.US, "%.0f%%", f * 100);
  }

  /** A service by its group name ({@code warehouse}, {@code order-view}...); {@code payment} means the order service. */
  static OmsService service(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("payment") || n.equals("payments")) {
      return OmsService.ORDER;
    }
    for (OmsService s : OmsService.values()) {
      if (s.group().equals(n) || s.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(n)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown service '" + name + "'; known: " + serviceNames());
  }

  static String serviceNames() {
    List<String> names = new ArrayList<>();
    for (OmsService s : OmsService.values()) {
      names.add(s.group());
    }
    return String.join(", ", names) + " (payment = order)";
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }
}
