package dev.oms.simulator;

import dev.oms.event.Money;
import dev.oms.port.InMemoryInventory;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded product catalog whose popularity follows a Zipf law: SKU rank {@code k} (1-based) is
 * picked with probability proportional to {@code 1 / k^s}. SKU ids carry their rank, so
 * {@code SKU-00001} is the best seller.
 *
 * <p>Stock is sized from the demand the order stream is expected to produce: every SKU gets its
 * expected demand plus a comfortable margin, except the few best sellers ({@link #hotSkus()}),
 * which get slightly less than their expected demand and so run out near the end of a run. That
 * exercises the stock-out path (charge, refund, cancel) at a rate of a few percent of orders.
 */
public final class Catalog {
  /** The Zipf exponent of SKU popularity. */
  static final double ZIPF_EXPONENT = 1.0;
  /** Lines per order: P(1), P(<=2), ... cumulative, for 1 to 5 lines. */
  static final double[] LINES_CDF = {0.55, 0.80, 0.92, 0.97, 1.0};
  /** Units per line: cumulative probabilities for 1 to 3 units. */
  static final double[] QUANTITY_CDF = {0.80, 0.95, 1.0};
  /** Best sellers get this fraction of their expected demand in stock. */
  static final double HOT_COVER = 0.92;
  /** Everything else gets this multiple of its expected demand, plus a margin for randomness. */
  static final double NORMAL_COVER = 1.2;

  private final String[] skus;
  private final Money[] prices;
  private final double[] cdf;
  private final int hotSkus;
  private final double hotCover;
  private final double[] linesCdf;
  private final double[] unitsCdf;

  private Catalog(String[] skus, Money[] prices, double[] cdf, int hotSkus, double hotCover, double[] linesCdf,
      double[] unitsCdf) {
    this.skus = skus;
    this.prices = prices;
    this.cdf = cdf;
    this.hotSkus = hotSkus;
    this.hotCover = hotCover;
    this.linesCdf = linesCdf;
    this.unitsCdf = unitsCdf;
  }

  /** A catalog of {@code size} SKUs with uniform prices ($1.99 to $199.99) drawn from {@code seed}. */
  public static Catalog generate(int size, long seed) {
    return generate(new Profile.CatalogShape(size, ZIPF_EXPONENT, -1, HOT_COVER), null, null, seed);
  }

  /**
   * A catalog of the given shape: Zipf popularity, {@code doorbusters} best sellers stocked at
   * {@code doorbusterStock} of their expected demand (-1 doorbusters: 0.05% of the catalog), basket
   * distributions and log-normal prices ({@code null}: the defaults, uniform prices).
   */
  public static Catalog generate(Profile.CatalogShape shape, Profile.Basket basket, Profile.Prices priceShape,
      long seed) {
    int size = shape.skus();
    if (size < 1) {
      throw new IllegalArgumentException("a catalog needs at least one SKU, was " + size);
    }
    SplittableRandom random = new SplittableRandom(seed);
    int width = Math.max(5, String.valueOf(size).length());
    String[] skus = new String[size];
    Money[] prices = new Money[size];
    double[] weights = new double[size];
    double total = 0;
    for (int i = 0; i < size; i++) {
      skus[i] = "SKU-" + zeroPadded(i + 1, width);
      if (priceShape == null) {
        prices[i] = Money.of(199 + random.nextInt(19_801), "USD"); // $1.99 to $199.99
      } else {
        double cents = priceShape.medianCents() * Math.exp(priceShape.sigma() * random.nextGaussian());
        prices[i] = Money.of(Math.max(99, Math.min(500_000, Math.round(cents))), "USD");
      }
      weights[i] = 1.0 / Math.pow(i + 1, shape.zipf());
      total += weights[i];
    }
    double[] cdf = new double[size];
    double running = 0;
    for (int i = 0; i < size; i++) {
      running += weights[i];
      cdf[i] = running / total;
    }
    cdf[size - 1] = 1.0;
    int hot = shape.doorbusters() >= 0 ? Math.min(size, shape.doorbusters())
        : (int) Math.min(size, Math.max(1, Math.round(size * 0.0005)));
    double[] lines = basket == null ? LINES_CDF : cumulative(basket.lines());
    double[] units = basket == null ? QUANTITY_CDF : cumulative(basket.units());
    return new Catalog(skus, prices, cdf, hot, shape.doorbusterStock(), lines, units);
  }

  private static double[] cumulative(double[] p) {
    double[] c = new double[p.length];
    double running = 0;
    for (int i = 0; i < p.length; i++) {
      running += p[i];
      c[i] = running;
    }
    c[p.length - 1] = 1.0;
    return c;
  }

  private static String zeroPadded(int n, int width) {
    String s = Integer.toString(n);
    return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
  }

  public int size() {
    return skus.length;
  }

  public String sku(int index) {
    return skus[index];
  }

  public Money price(int index) {
    return prices[index];
  }

  /** Cumulative probabilities of 1, 2, ... lines per order. */
  double[] linesCdf() {
    return linesCdf;
  }

  /** Cumulative probabilities of 1, 2, ... units per line. */
  double[] unitsCdf() {
    return unitsCdf;
  }

  /** How many best sellers (doorbusters) are stocked below their expected demand. */
  public int hotSkus() {
    return hotSkus;
  }

  /** The probability that one line picks SKU {@code index} (0-based rank). */
  public double popularity(int index) {
    return index == 0 ? cdf[0] : cdf[index] - cdf[index - 1];
  }

  /** A SKU index (0-based rank) drawn by popularity. */
  int sample(SplittableRandom random) {
    double u = random.nextDouble();
    int i = Arrays.binarySearch(cdf, u);
    i = i >= 0 ? i + 1 : -i - 1; // first index whose cumulative probability exceeds u
    return Math.min(i, cdf.length - 1);
  }

  /** Units of each SKU that {@code orders} orders are expected to ask for. */
  public double expectedUnits(int index, long orders) {
    return orders * meanOf(linesCdf) * meanOf(unitsCdf) * popularity(index);
  }

  /** The units SKU {@code index} starts with, for a run of {@code orders} orders. */
  public long stockFor(int index, long orders) {
    double expected = expectedUnits(index, orders);
    if (index < hotSkus) {
      return (long) Math.floor(expected * hotCover);
    }
    return (long) Math.ceil(expected * NORMAL_COVER + 4 * Math.sqrt(expected) + 5);
  }

  /** Stocks every SKU of the catalog for a run of {@code orders} orders. */
  public InMemoryInventory stock(InMemoryInventory inventory, long orders) {
    for (int i = 0; i < skus.length; i++) {
      inventory.stock(skus[i], stockFor(i, orders));
    }
    return inventory;
  }

  /** The mean of the distribution over 1..n given by a cumulative table. */
  static double meanOf(double[] cumulative) {
    double mean = 0;
    double previous = 0;
    for (int i = 0; i < cumulative.length; i++) {
      mean += (i + 1) * (cumulative[i] - previous);
      previous = cumulative[i];
    }
    return mean;
  }

  /** A value 1..n drawn from a cumulative table. */
  static int draw(double[] cumulative, SplittableRandom random) {
    double u = random.nextDouble();
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return i + 1;
      }
    }
    return cumulative.length;
  }
}
