package dev.oms.kafka;

import dev.oms.event.Address;
import dev.oms.event.Customer;
import dev.oms.event.Money;
import dev.oms.event.OrderLine;
import dev.oms.event.PaymentMethod;
import dev.oms.service.PlaceOrder;
import java.util.List;
import java.util.SplittableRandom;

/** A reproducible stream of order requests: a few SKUs, some declined cards. */
final class OrderFactory {
  static final List<String> SKUS = List.of("SKU-TV", "SKU-PHONE", "SKU-LAPTOP", "SKU-HEADSET", "SKU-CABLE");
  private final SplittableRandom random;
  private final String prefix;
  private final double declineRate;
  private int next;

  OrderFactory(long seed, String prefix, double declineRate) {
    this.random = new SplittableRandom(seed);
    this.prefix = prefix;
    this.declineRate = declineRate;
  }

  PlaceOrder next() {
    String orderId = prefix + "-" + (next++);
    String sku = SKUS.get(random.nextInt(SKUS.size()));
    int quantity = 1 + random.nextInt(3);
    String token = random.nextDouble() < declineRate ? "tok_decline_card" : "tok_visa_ok";
    Customer customer = new Customer("cust-" + orderId, "buyer@example.com",
        new Address("1 Main St", "Springfield", "12345", "US"));
    return new PlaceOrder(orderId, customer, List.of(new OrderLine(sku, quantity, Money.of(1999, "USD"))),
        new PaymentMethod(token), null);
  }
}
