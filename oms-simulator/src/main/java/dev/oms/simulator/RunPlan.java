package dev.oms.simulator;

import dev.oms.OmsService;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Set;
import java.util.Locale;
import java.util.Map;

/**
 * A profile fitted to the command line: how long the arrival phase lasts, at what speed and base
 * rate, how many orders arrive, and with which faults.
 *
 * <p>The rule, in order:
 * <ul>
 *   <li>{@code --rate} replaces the profile's base rate, {@code --speed} its time compression.
 *   <li>{@code --duration D} is the wall-clock length of the arrival phase: the whole shape is
 *       played in D (the speed becomes simulated duration / D).
 *   <li>{@code --orders N} without {@code --duration}: exactly N orders arrive, at the profile's
 *       intensity (base rate and speed unchanged): the shape is stretched or shrunk in time to hold N
 *       orders. The built-in profiles' rates are what this machine class sustains, so N orders take
 *       N / (expected orders of the profile) times the profile's wall-clock length.
 *   <li>{@code --orders N} with {@code --duration D}: exactly N orders arrive within D (the base rate
 *       is scaled to fit).
 *   <li>Neither: the profile as written (a Poisson number of orders around its expected count).
 * </ul>
 *
 * @param profile the fitted profile (duration, speed, rate and faults final)
 * @param orders exactly this many arrivals, or -1 for a Poisson number
 * @param expectedOrders orders expected (stock is sized for them)
 * @param rule how the profile was fitted, for the summary
 */
record RunPlan(Profile profile, long orders, double expectedOrders, String rule) {

  static RunPlan resolve(SimulatorOptions o) {
    Profile p = Profiles.load(o.profile());
    if (o.skus > 0) {
      p = p.withCatalog(new Profile.CatalogShape(o.skus, p.catalog().zipf(), p.catalog().doorbusters(),
          p.catalog().doorbusterStock()));
    }
    if (o.declineRate >= 0) {
      p = p.withPayment(new Profile.Payment(o.declineRate, p.payment().latencyNanos()));
    }
    FaultPlan faults = (o.noFaults ? FaultPlan.NONE : p.faults()).plus(o.faultPlan());
    String rule = null;
    double rate = o.rate > 0 ? o.rate : p.rate();
    if (o.rate <= 0 && LocalKafka.NAME.equals(o.broker())) {
      // The built-in rates are what the in-memory broker sustains on 2 cores; a Kafka on the same
      // cores takes a few thousand orders a second, so its default day is scaled to fit a minute.
      rate /= LocalKafka.RATE_DIVISOR;
      rule = "the profile at 1/" + LocalKafka.RATE_DIVISOR + " of its base rate (Kafka default)";
    }
    double speed = o.speed > 0 ? o.speed : p.speed();
    double duration = p.durationSeconds();
    double mean = ArrivalSchedule.meanMultiplier(p);
    double wall = o.durationSeconds > 0 ? o.durationSeconds : 0;
    long orders = o.orders() > 0 ? o.orders() : -1;
    if (orders > 0 && wall > 0) {
      speed = duration / wall;
      rate = orders / (duration * mean);
      rule = String.format(Locale.US, "%,d orders fitted into %s", orders, Durations.format(wall));
    } else if (orders > 0) {
      duration = orders / (rate * mean);
      rule = String.format(Locale.US, "%,d orders at the profile's intensity: %s simulated", orders,
          Durations.format(duration));
    } else if (wall > 0) {
      speed = duration / wall;
      rule = "the profile played in " + Durations.format(wall);
    } else if (rule == null) {
      rule = "the profile as written";
    }
    Profile fitted = p.with(duration, speed, rate, faults);
    double expected = orders > 0 ? orders : ArrivalSchedule.expectedOrders(fitted);
    return new RunPlan(fitted, orders, expected, rule);
  }

  /**
   * Concurrency per service: {@code --concurrency}, else the profile's. On every broker this is the
   * group's lanes, and for a service whose ports wait (see {@link #blocking()}) how many of its
   * handlers wait at once; no handler waits for its follow-on events' acknowledgements any more.
   */
  Map<OmsService, Integer> concurrency(int flag) {
    Map<OmsService, Integer> c = new EnumMap<>(OmsService.class);
    int cores = Runtime.getRuntime().availableProcessors();
    for (OmsService s : OmsService.values()) {
      int n = flag > 0 ? flag
          : profile.concurrency().getOrDefault(s.group(), profile.concurrency().getOrDefault("default", cores));
      c.put(s, n);
    }
    return c;
  }

  /**
   * The services whose ports really wait, so their handlers are declared blocking and run on the
   * bus's blocking pool: the order service when payments take time, the warehouse when packing
   * capacity is limited, and every service slowed by {@code --slow}.
   */
  Set<OmsService> blocking() {
    Set<OmsService> blocking = EnumSet.noneOf(OmsService.class);
    if (profile.payment().latencyNanos() > 0) {
      blocking.add(OmsService.ORDER);
    }
    if (profile.warehouseCapacity() > 0) {
      blocking.add(OmsService.WAREHOUSE);
    }
    for (OmsService s : OmsService.values()) {
      if (!profile.faults().slow(s).isEmpty()) {
        blocking.add(s);
      }
    }
    return blocking;
  }

  /** The arrival phase's wall-clock length in seconds. */
  double wallSeconds() {
    return profile.wallSeconds();
  }
}
