package dev.oms.simulator;

import dev.oms.port.InventoryStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The simulator's settings. Bound from the command line by picocli (as a mixin of
 * {@link SimulatorMain}) and settable from code for tests and embedding; every field has the
 * command line's default. Flag names are a public contract.
 */
public final class SimulatorOptions {
  /** Where {@code ./simulate} writes its report unless told otherwise. */
  public static final String DEFAULT_REPORT_DIR = "simulation-report";

  @Option(names = "--profile", paramLabel = "NAME|FILE", defaultValue = "black-friday", order = 1,
      description = "Load profile: steady, black-friday, flash-sale, or a YAML/JSON profile file "
          + "(default: ${DEFAULT-VALUE}).")
  String profile = "black-friday";

  @Option(names = "--broker", paramLabel = "NAME", defaultValue = "in-memory", order = 2,
      description = "Broker adapter, found by name through ServiceLoader (default: ${DEFAULT-VALUE}).")
  String broker = "in-memory";

  @Option(names = "--orders", paramLabel = "N", order = 3,
      description = "Place exactly N orders. Without --duration the profile keeps its intensity and its day "
          + "stretches or shrinks to hold N orders (default: the profile's own count).")
  Long orders;

  @Option(names = "--duration", paramLabel = "TIME", order = 4, converter = DurationConverter.class,
      description = "Wall-clock length of the arrival phase, e.g. 60s, 2m: the whole profile is played in it "
          + "(default: the profile's duration / speed).")
  double durationSeconds;

  @Option(names = "--rate", paramLabel = "ORDERS/S", order = 5,
      description = "Base orders per simulated second, before the users curve and spikes (default: the profile's).")
  double rate;

  @Option(names = "--speed", paramLabel = "X", order = 6,
      description = "Time compression: simulated seconds per wall-clock second (default: the profile's; "
          + "black-friday: 1440, a day in a minute).")
  double speed;

  @Option(names = "--seed", paramLabel = "LONG", defaultValue = "42", order = 7,
      description = "Seed of the catalog, the order stream, arrival times and fault choices; the same seed "
          + "gives the same run (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--report", paramLabel = "DIR", order = 8,
      description = "Write summary.json and report.html into DIR (default: " + DEFAULT_REPORT_DIR + ").")
  Path reportDir;

  @Option(names = "--no-report", order = 9, description = "Write no report.")
  boolean noReport;

  @Option(names = "--events-out", paramLabel = "FILE", order = 10,
      description = "Write every event to FILE as CloudEvents structured JSON, one per line.")
  Path eventsOut;

  @Option(names = "--quiet", order = 11, description = "No progress output on stderr.")
  boolean quiet;

  @Option(names = "--concurrency", paramLabel = "N", order = 12,
      description = "Concurrent handlers per consumer group (default: the profile's for the in-memory broker, "
          + "32 for remote brokers, whose handlers wait on the network).")
  int concurrency;

  @Option(names = "--outage", paramLabel = "SERVICE@FROM-TO", order = 20,
      description = "Take a service down for a window of the run, e.g. warehouse@40%%-50%% or "
          + "notification@13:00-14:00 (repeatable). Services: inventory, order (payment), fulfillment, "
          + "warehouse, notification, order-view.")
  List<String> outages = new ArrayList<>();

  @Option(names = "--error-rate", paramLabel = "SERVICE=FRACTION", order = 21,
      description = "Make a fraction of a service's port calls fail once, e.g. warehouse=0.01 (repeatable; "
          + "the retry succeeds).")
  List<String> errorRates = new ArrayList<>();

  @Option(names = "--slow", paramLabel = "SERVICE=DELAY[@FROM-TO]", order = 22,
      description = "Slow a service's port by DELAY per call, e.g. notification=2ms or warehouse=1ms@20%%-40%% "
          + "(repeatable).")
  List<String> slow = new ArrayList<>();

  @Option(names = "--duplicates", paramLabel = "FRACTION", order = 23,
      description = "Fraction of events the broker delivers twice (same event id).")
  double duplicates;

  @Option(names = "--broker-restart", paramLabel = "AT[+DOWNTIME]", order = 24,
      description = "Restart the broker at a point of the run, e.g. 50%%+5s (repeatable; brokers that support "
          + "it through a BrokerRestarter, otherwise skipped with a note).")
  List<String> restarts = new ArrayList<>();

  @Option(names = "--no-faults", order = 25, description = "Drop the faults the profile plans (flags still add theirs).")
  boolean noFaults;

  @Option(names = "--skus", paramLabel = "N", order = 30, description = "Catalog size (default: the profile's).")
  int skus;

  @Option(names = "--decline-rate", paramLabel = "FRACTION", order = 31, defaultValue = "-1",
      description = "Fraction of orders paid with a card the gateway declines (default: the profile's).")
  double declineRate = -1;

  @Option(names = "--max-in-flight", paramLabel = "N", order = 32,
      description = "Closed loop: at most N orders placed and not yet finished; arrivals wait (and are still "
          + "timed from their intended time). Default: open loop, no bound.")
  int maxInFlight;

  @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "60", order = 33,
      description = "Give up (exit 1, listing what is stuck) when the pipeline makes no progress for this long "
          + "(default: ${DEFAULT-VALUE}).")
  int drainTimeoutSeconds = 60;

  @Option(names = "--broker-option", paramLabel = "KEY=VALUE", order = 34,
      description = "An option for the broker adapter, repeatable; for in-memory: threads, groupCapacity, "
          + "drainBatch, backpressure, blockTimeoutMillis.")
  Map<String, String> brokerOptions = new LinkedHashMap<>();

  /** Whether progress rewrites one line in place (a terminal) rather than printing lines. */
  boolean liveProgress;

  /** For tests: wraps the inventory port the pipeline uses (to break it on purpose). */
  Function<InventoryStore, InventoryStore> inventoryDecorator;

  public static SimulatorOptions defaults() {
    return new SimulatorOptions();
  }

  /** The first problem with these settings, or null when they are usable. */
  String problem() {
    if (orders != null && orders < 1) {
      return "--orders must be at least 1, was " + orders;
    }
    if (skus < 0) {
      return "--skus must be at least 1, was " + skus;
    }
    if (declineRate != -1 && !(declineRate >= 0 && declineRate <= 1)) {
      return "--decline-rate must be a fraction between 0 and 1, was " + declineRate;
    }
    if (rate < 0 || speed < 0) {
      return "--rate and --speed must be positive";
    }
    if (durationSeconds > 0 && speed > 0) {
      return "--duration and --speed both set the time compression; give one of them";
    }
    if (maxInFlight < 0) {
      return "--max-in-flight must be at least 1, was " + maxInFlight;
    }
    if (concurrency < 0) {
      return "--concurrency must be at least 1, was " + concurrency;
    }
    if (drainTimeoutSeconds < 1) {
      return "--drain-timeout must be at least 1 second, was " + drainTimeoutSeconds;
    }
    if (!(duplicates >= 0 && duplicates <= 1)) {
      return "--duplicates must be a fraction between 0 and 1, was " + duplicates;
    }
    if (broker == null || broker.isBlank()) {
      return "--broker must name a broker";
    }
    try {
      faultPlan();
      RunPlan.resolve(this);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return null;
  }

  /** The faults given on the command line. Windows are fractions of the run; times of day need the profile. */
  FaultPlan faultPlan() {
    List<FaultPlan.Outage> o = new ArrayList<>();
    for (String spec : outages) {
      String[] parts = split(spec, '@', "--outage", "SERVICE@FROM-TO, e.g. warehouse@40%-50%");
      double[] window = window(parts[1], "--outage");
      o.add(new FaultPlan.Outage(FaultPlan.service(parts[0]), window[0], window[1]));
    }
    List<FaultPlan.ErrorRate> e = new ArrayList<>();
    for (String spec : errorRates) {
      String[] parts = split(spec, '=', "--error-rate", "SERVICE=FRACTION, e.g. warehouse=0.01");
      double r = number(parts[1], "--error-rate");
      if (!(r >= 0 && r <= 1)) {
        throw new IllegalArgumentException("--error-rate must be a fraction between 0 and 1, was " + parts[1]);
      }
      e.add(new FaultPlan.ErrorRate(Profiles.portService(parts[0]), r));
    }
    List<FaultPlan.Slow> s = new ArrayList<>();
    for (String spec : slow) {
      String[] parts = split(spec, '=', "--slow", "SERVICE=DELAY[@FROM-TO], e.g. notification=2ms");
      String delay = parts[1];
      double[] window = {0, 1};
      int at = delay.indexOf('@');
      if (at >= 0) {
        window = window(delay.substring(at + 1), "--slow");
        delay = delay.substring(0, at);
      }
      s.add(new FaultPlan.Slow(Profiles.portService(parts[0]), Durations.parseNanos(delay), window[0], window[1]));
    }
    List<FaultPlan.Restart> r = new ArrayList<>();
    for (String spec : restarts) {
      int plus = spec.indexOf('+');
      double when = point(plus >= 0 ? spec.substring(0, plus) : spec, "--broker-restart");
      double down = plus >= 0 ? Durations.parseSeconds(spec.substring(plus + 1)) : 5;
      r.add(new FaultPlan.Restart(when, down));
    }
    return new FaultPlan(List.copyOf(o), List.copyOf(e), List.copyOf(s), duplicates, List.copyOf(r));
  }

  private static String[] split(String spec, char sep, String flag, String form) {
    int i = spec.indexOf(sep);
    if (i <= 0 || i == spec.length() - 1) {
      throw new IllegalArgumentException(flag + " takes " + form + ", was '" + spec + "'");
    }
    return new String[] {spec.substring(0, i), spec.substring(i + 1)};
  }

  /** FROM-TO as fractions: 40%-50%, 0.4-0.5, or hh:mm-hh:mm of a day-long profile. */
  private double[] window(String text, String flag) {
    int dash = text.indexOf('-');
    if (dash <= 0) {
      throw new IllegalArgumentException(flag + ": window '" + text + "' must be FROM-TO, e.g. 40%-50%");
    }
    double from = point(text.substring(0, dash), flag);
    double to = point(text.substring(dash + 1), flag);
    if (!(to > from)) {
      throw new IllegalArgumentException(flag + ": window '" + text + "' must end after it starts");
    }
    return new double[] {from, to};
  }

  private double point(String text, String flag) {
    double day = 86_400;
    try {
      day = Profiles.load(profile).durationSeconds();
    } catch (IllegalArgumentException e) {
      // the profile's own error is reported elsewhere
    }
    double f = Profiles.at(text, day, flag);
    if (!(f >= 0 && f <= 1)) {
      throw new IllegalArgumentException(flag + ": '" + text + "' must lie within the run (0%-100%)");
    }
    return f;
  }

  private static double number(String text, String flag) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": '" + text + "' is not a number");
    }
  }

  /** Parses --duration. */
  static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      double s = Durations.parseSeconds(value);
      if (!(s > 0)) {
        throw new picocli.CommandLine.TypeConversionException("--duration must be longer than zero, was " + value);
      }
      return s;
    }
  }

  public String profile() {
    return profile;
  }

  public SimulatorOptions profile(String profile) {
    this.profile = profile;
    return this;
  }

  /** The exact number of orders asked for, or 0 when the profile decides. */
  public long orders() {
    return orders == null ? 0 : orders;
  }

  public SimulatorOptions orders(long orders) {
    this.orders = orders;
    return this;
  }

  public SimulatorOptions duration(String duration) {
    this.durationSeconds = Durations.parseSeconds(duration);
    return this;
  }

  public SimulatorOptions rate(double rate) {
    this.rate = rate;
    return this;
  }

  public SimulatorOptions speed(double speed) {
    this.speed = speed;
    return this;
  }

  public String broker() {
    return broker;
  }

  public SimulatorOptions broker(String broker) {
    this.broker = broker;
    return this;
  }

  public long seed() {
    return seed;
  }

  public SimulatorOptions seed(long seed) {
    this.seed = seed;
    return this;
  }

  public boolean quiet() {
    return quiet;
  }

  public SimulatorOptions quiet(boolean quiet) {
    this.quiet = quiet;
    return this;
  }

  public SimulatorOptions report(Path dir) {
    this.reportDir = dir;
    return this;
  }

  public SimulatorOptions eventsOut(Path file) {
    this.eventsOut = file;
    return this;
  }

  public SimulatorOptions concurrency(int concurrency) {
    this.concurrency = concurrency;
    return this;
  }

  public SimulatorOptions outage(String spec) {
    outages.add(spec);
    return this;
  }

  public SimulatorOptions errorRate(String spec) {
    errorRates.add(spec);
    return this;
  }

  public SimulatorOptions slow(String spec) {
    slow.add(spec);
    return this;
  }

  public SimulatorOptions duplicates(double fraction) {
    this.duplicates = fraction;
    return this;
  }

  public SimulatorOptions brokerRestart(String spec) {
    restarts.add(spec);
    return this;
  }

  public SimulatorOptions noFaults(boolean noFaults) {
    this.noFaults = noFaults;
    return this;
  }

  public int skus() {
    return skus;
  }

  public SimulatorOptions skus(int skus) {
    this.skus = skus;
    return this;
  }

  public double declineRate() {
    return declineRate;
  }

  public SimulatorOptions declineRate(double declineRate) {
    this.declineRate = declineRate;
    return this;
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  public SimulatorOptions maxInFlight(int maxInFlight) {
    this.maxInFlight = maxInFlight;
    return this;
  }

  public int drainTimeoutSeconds() {
    return drainTimeoutSeconds;
  }

  public SimulatorOptions drainTimeoutSeconds(int seconds) {
    this.drainTimeoutSeconds = seconds;
    return this;
  }

  public SimulatorOptions brokerOption(String key, String value) {
    brokerOptions.put(key, value);
    return this;
  }

  SimulatorOptions inventoryDecorator(Function<InventoryStore, InventoryStore> decorator) {
    this.inventoryDecorator = decorator;
    return this;
  }
}
