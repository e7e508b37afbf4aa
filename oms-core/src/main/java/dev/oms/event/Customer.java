package dev.oms.event;

import dev.oms.internal.Require;

/** Who placed the order. Personal data: {@link #toString()} prints only the customer id. */
public record Customer(String customerId, String email, Address shippingAddress) {
  public Customer {
    Require.nonBlank(customerId, "customerId");
    Require.nonBlank(email, "customer email");
    Require.check(email.indexOf('@') > 0, "customer email must contain '@'");
    Require.nonNull(shippingAddress, "customer shippingAddress");
  }

  @Override
  public String toString() {
    return "Customer[" + customerId + ", contact redacted]";
  }
}
