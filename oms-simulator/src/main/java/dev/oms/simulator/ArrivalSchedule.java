package dev.oms.simulator;

import java.util.SplittableRandom;

/**
 * When orders arrive: an open-loop schedule computed from the profile's rate curve alone, never
 * from how the system is doing. Arrivals form a Poisson process whose intensity follows the curve
 * (exponential gaps in "expected orders" space, mapped back to time through the cumulative curve).
 * With a fixed order count the gaps are normalised so that exactly that many orders arrive within
 * the run (a Poisson process conditioned on its count). Times are nanoseconds of wall clock from
 * the start of the run; the same seed gives the same times.
 */
final class ArrivalSchedule {
  private static final int CELLS = 1 << 18;

  private final double[] cumulative = new double[CELLS + 1];
  private final double total;
  private final double wallNanos;
  private final long count;
  private final double scale;
  private final SplittableRandom random;
  private double sum;
  private long issued;

  /**
   * @param profile the shape; its duration, speed and rate are final
   * @param orders the exact number of arrivals, or -1 for a Poisson number of them
   * @param seed the seed of the gaps
   */
  ArrivalSchedule(Profile profile, long orders, long seed) {
    for (int k = 0; k < CELLS; k++) {
      cumulative[k + 1] = cumulative[k] + profile.multiplier((k + 0.5) / CELLS);
    }
    this.total = cumulative[CELLS];
    this.wallNanos = profile.wallSeconds() * 1e9;
    this.random = new SplittableRandom(seed);
    if (orders >= 0) {
      // Exactly `orders` arrivals: the (orders + 1)th exponential sum spans the whole run.
      SplittableRandom probe = new SplittableRandom(seed);
      double s = 0;
      for (long i = 0; i <= orders; i++) {
        s += exponential(probe);
      }
      this.count = orders;
      this.scale = total / s;
    } else {
      double expected = expectedOrders(profile);
      this.count = Long.MAX_VALUE;
      this.scale = expected <= 0 ? Double.POSITIVE_INFINITY : total / expected;
    }
  }

  /** Orders a profile is expected to place: base rate x simulated duration x mean multiplier. */
  static double expectedOrders(Profile profile) {
    return profile.rate() * profile.durationSeconds() * meanMultiplier(profile);
  }

  /** The mean of the rate multiplier over the run (users curve with spikes). */
  static double meanMultiplier(Profile profile) {
    double sum = 0;
    int cells = 1 << 16;
    for (int k = 0; k < cells; k++) {
      sum += profile.multiplier((k + 0.5) / cells);
    }
    return sum / cells;
  }

  private static double exponential(SplittableRandom random) {
    return -Math.log(1 - random.nextDouble());
  }

  /** The wall-clock offset (ns) of the next arrival, or -1 when the schedule is over. */
  long next() {
    if (issued >= count) {
      return -1;
    }
    sum += exponential(random);
    double u = sum * scale;
    if (u > total) {
      if (count == Long.MAX_VALUE) {
        return -1;
      }
      u = total; // rounding at the very end of a fixed-count schedule
    }
    issued++;
    return Math.round(fractionAt(u) * wallNanos);
  }

  /** The fraction of the run at which the cumulative curve reaches {@code u}. */
  private double fractionAt(double u) {
    int lo = 0;
    int hi = CELLS;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] <= u) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double cell = cumulative[lo + 1] - cumulative[lo];
    double within = cell <= 0 ? 0 : Math.min(1, (u - cumulative[lo]) / cell);
    return (lo + within) / CELLS;
  }

  /** The share of the run's arrivals the schedule means to have issued by fraction {@code f} of the run. */
  double expectedShare(double f) {
    if (f <= 0) {
      return 0;
    }
    if (f >= 1) {
      return 1;
    }
    double x = f * CELLS;
    int k = (int) x;
    return (cumulative[k] + (cumulative[k + 1] - cumulative[k]) * (x - k)) / total;
  }

  double wallNanos() {
    return wallNanos;
  }
}
