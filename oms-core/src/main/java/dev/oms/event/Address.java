package dev.oms.event;

import dev.oms.internal.Require;

/** A shipping address. Personal data: {@link #toString()} never prints it. */
public record Address(String line1, String city, String postalCode, String country) {
  public Address {
    Require.nonBlank(line1, "address line1");
    Require.nonBlank(city, "address city");
    Require.nonBlank(postalCode, "address postalCode");
    Require.nonBlank(country, "address country");
  }

  @Override
  public String toString() {
    return "Address[redacted]";
  }
}
