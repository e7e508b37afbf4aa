package dev.oms.simulator;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of a run: how many orders arrive when (a base rate times a users curve, with
 * transaction spikes on top), what they buy, how payment and the warehouse behave, and which faults
 * strike when. Every point in time is a fraction (0 to 1) of the profile's simulated duration, so a
 * shape can be stretched or compressed without changing its form. Loaded by {@link Profiles}.
 *
 * @param name the profile's name
 * @param description one line for people
 * @param durationSeconds the simulated time the shape spans (black-friday: a day)
 * @param speed simulated seconds per wall-clock second (time compression)
 * @param rate base orders per simulated second
 * @param users the users curve: multiplier of the base rate at each point, linear in between
 * @param spikes transaction spikes: windows in which the rate is at least {@code x} times the base
 * @param catalog catalog size, Zipf exponent, doorbusters and their stock
 * @param basket probabilities of 1, 2, ... lines per order and of 1, 2, ... units per line
 * @param prices log-normal prices: median in cents and sigma
 * @param payment decline rate and gateway latency
 * @param warehouseCapacity shipments the warehouse packs per simulated second, as a multiple of the
 *     base rate; 0 for unlimited
 * @param concurrency handler concurrency per service group name ({@code default} for the rest); empty
 *     for the broker's default
 * @param faults faults to inject
 */
public record Profile(
    String name,
    String description,
    double durationSeconds,
    double speed,
    double rate,
    List<Point> users,
    List<Spike> spikes,
    CatalogShape catalog,
    Basket basket,
    Prices prices,
    Payment payment,
    double warehouseCapacity,
    Map<String, Integer> concurrency,
    FaultPlan faults) {

  /** The users curve at fraction {@code at} of the run: {@code x} times the base rate. */
  public record Point(double at, double x) {}

  /** A transaction spike from {@code from} to {@code to} (fractions): the rate is at least {@code x} times base. */
  public record Spike(double from, double to, double x) {}

  /**
   * @param skus catalog size
   * @param zipf Zipf exponent of popularity (1: rank k is picked with probability proportional to 1/k)
   * @param doorbusters how many best sellers are doorbusters, stocked below their expected demand
   * @param doorbusterStock doorbusters' stock as a fraction of their expected demand (they sell out
   *     at about that fraction of the run)
   */
  public record CatalogShape(int skus, double zipf, int doorbusters, double doorbusterStock) {}

  /** Probabilities of 1, 2, ... lines per order and 1, 2, ... units per line (each list sums to 1). */
  public record Basket(double[] lines, double[] units) {}

  /** Log-normal prices: {@code medianCents} and {@code sigma} of the underlying normal; clipped to $0.99..$5,000. */
  public record Prices(long medianCents, double sigma) {}

  /**
   * @param declineRate fraction of orders paid with a card the gateway declines
   * @param latencyNanos mean wall-clock latency of a gateway call (exponentially distributed); 0 for none
   */
  public record Payment(double declineRate, long latencyNanos) {}

  /** The rate multiplier at fraction {@code f} of the run (users curve, raised by any spike). */
  public double multiplier(double f) {
    double x = usersAt(f);
    for (Spike s : spikes) {
      if (f >= s.from() && f < s.to()) {
        x = Math.max(x, s.x());
      }
    }
    return x;
  }

  double usersAt(double f) {
    if (users.isEmpty()) {
      return 1;
    }
    Point first = users.get(0);
    if (f <= first.at()) {
      return first.x();
    }
    for (int i = 1; i < users.size(); i++) {
      Point b = users.get(i);
      if (f <= b.at()) {
        Point a = users.get(i - 1);
        double span = b.at() - a.at();
        return span <= 0 ? b.x() : a.x() + (b.x() - a.x()) * (f - a.at()) / span;
      }
    }
    return users.get(users.size() - 1).x();
  }

  /** The highest multiplier of the users curve (spikes excluded). */
  public double peakUsers() {
    return users.stream().mapToDouble(Point::x).max().orElse(1);
  }

  /** The highest spike multiplier, or 0 without spikes. */
  public double peakSpike() {
    return spikes.stream().mapToDouble(Spike::x).max().orElse(0);
  }

  /** The wall-clock length of the whole shape at this profile's speed. */
  public double wallSeconds() {
    return durationSeconds / speed;
  }

  /** Describes the shape in one line. */
  public String shape() {
    return String.format(Locale.US, "%s: %s simulated at %.0fx, base %.3g orders/s, users up to %.1fx%s", name,
        Durations.format(durationSeconds), speed, rate, peakUsers(),
        spikes.isEmpty() ? "" : String.format(Locale.US, ", spikes up to %.0fx", peakSpike()));
  }

  Profile with(double durationSeconds, double speed, double rate, FaultPlan faults) {
    return new Profile(name, description, durationSeconds, speed, rate, users, spikes, catalog, basket, prices, payment,
        warehouseCapacity, concurrency, faults);
  }

  Profile withPayment(Payment payment) {
    return new Profile(name, description, durationSeconds, speed, rate, users, spikes, catalog, basket, prices, payment,
        warehouseCapacity, concurrency, faults);
  }

  Profile withCatalog(CatalogShape catalog) {
    return new Profile(name, description, durationSeconds, speed, rate, users, spikes, catalog, basket, prices, payment,
        warehouseCapacity, concurrency, faults);
  }
}
