package dev.oms.simulator;

import dev.oms.event.Address;
import dev.oms.event.Customer;
import dev.oms.event.OrderLine;
import dev.oms.event.PaymentMethod;
import dev.oms.service.PlaceOrder;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic stream of order requests: the same catalog, seed and decline rate always give
 * the same orders in the same sequence. Order {@code n} (0-based) has id {@code ord-n}. Baskets
 * have one to five lines of one to three units, SKUs drawn by the catalog's popularity; a line
 * drawn twice is merged. A {@code declineRate} fraction of orders pays with a token the in-memory
 * gateway declines. Not thread-safe: one generator per producing thread.
 */
public final class OrderGenerator {
  /** The prefix of every generated order id; the rest is the sequence number. */
  public static final String ORDER_ID_PREFIX = "ord-";
  /** Paid with this, an order is approved by the in-memory gateway. */
  public static final PaymentMethod GOOD_CARD = new PaymentMethod("tok_visa_ok");
  /** Paid with this, an order is declined by the in-memory gateway (tokens starting "tok_decline"). */
  public static final PaymentMethod DECLINED_CARD = new PaymentMethod("tok_decline_insufficient_funds");

  static final int CUSTOMERS = 20_000;
  private static final String[][] CITIES = {
      {"Springfield", "62701", "US"}, {"Portland", "97201", "US"}, {"Austin", "73301", "US"},
      {"Toronto", "M5H 2N2", "CA"}, {"Leeds", "LS1 1UR", "GB"}, {"Berlin", "10115", "DE"},
      {"Lyon", "69001", "FR"}, {"Melbourne", "3000", "AU"}};

  private final Catalog catalog;
  private final SplittableRandom random;
  private final double declineRate;
  private final Customer[] customers = new Customer[CUSTOMERS];
  private final OrderLine[][] lineCache;
  private final int[] skuScratch;
  private final int[] quantityScratch;
  private final int maxQuantity;
  private long sequence;

  public OrderGenerator(Catalog catalog, long seed, double declineRate) {
    this.catalog = catalog;
    this.random = new SplittableRandom(seed);
    this.declineRate = declineRate;
    this.lineCache = new OrderLine[catalog.size()][];
    this.skuScratch = new int[catalog.linesCdf().length];
    this.quantityScratch = new int[catalog.linesCdf().length];
    this.maxQuantity = catalog.unitsCdf().length;
  }

  /** The sequence number the next order gets. */
  public long nextSequence() {
    return sequence;
  }

  /** The id of order number {@code sequence}. */
  public static String orderId(long sequence) {
    return ORDER_ID_PREFIX + sequence;
  }

  /** The sequence number in a generated order id, or -1 for any other id. */
  public static long sequenceOf(String orderId) {
    int n = orderId.length();
    int start = ORDER_ID_PREFIX.length();
    if (n <= start || n > start + 18 || !orderId.startsWith(ORDER_ID_PREFIX)) {
      return -1;
    }
    long value = 0;
    for (int i = start; i < n; i++) {
      char c = orderId.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** The next order request. */
  public PlaceOrder next() {
    long seq = sequence++;
    int lineCount = Catalog.draw(catalog.linesCdf(), random);
    int distinct = 0;
    for (int i = 0; i < lineCount; i++) {
      int sku = catalog.sample(random);
      int quantity = Catalog.draw(catalog.unitsCdf(), random);
      int found = -1;
      for (int j = 0; j < distinct; j++) {
        if (skuScratch[j] == sku) {
          found = j;
          break;
        }
      }
      if (found >= 0) {
        quantityScratch[found] += quantity;
      } else {
        skuScratch[distinct] = sku;
        quantityScratch[distinct] = quantity;
        distinct++;
      }
    }
    OrderLine[] lines = new OrderLine[distinct];
    for (int j = 0; j < distinct; j++) {
      lines[j] = line(skuScratch[j], quantityScratch[j]);
    }
    Customer customer = customer(random.nextInt(CUSTOMERS));
    PaymentMethod payment = random.nextDouble() < declineRate ? DECLINED_CARD : GOOD_CARD;
    return new PlaceOrder(orderId(seq), customer, List.of(lines), payment, null);
  }

  private OrderLine line(int sku, int quantity) {
    if (quantity > maxQuantity) {
      return new OrderLine(catalog.sku(sku), quantity, catalog.price(sku));
    }
    OrderLine[] cached = lineCache[sku];
    if (cached == null) {
      cached = new OrderLine[maxQuantity];
      lineCache[sku] = cached;
    }
    OrderLine line = cached[quantity - 1];
    if (line == null) {
      line = new OrderLine(catalog.sku(sku), quantity, catalog.price(sku));
      cached[quantity - 1] = line;
    }
    return line;
  }

  private Customer customer(int index) {
    Customer customer = customers[index];
    if (customer == null) {
      String[] city = CITIES[index % CITIES.length];
      String id = "cust-" + index;
      customer = new Customer(id, id + "@example.com",
          new Address((index % 997 + 1) + " Market Street", city[0], city[1], city[2]));
      customers[index] = customer;
    }
    return customer;
  }
}
