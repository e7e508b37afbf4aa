package dev.oms.event;

import dev.oms.internal.Require;

/**
 * An amount in the currency's minor units (cents for USD) with its ISO 4217 code. Never a double.
 */
public record Money(long amountMinor, String currency) {
  public Money {
    // Messages are built only on failure: money is made on every order.
    if (amountMinor < 0) {
      throw Require.invalid("money amount must not be negative, was " + amountMinor);
    }
    if (currency == null || currency.length() != 3 || !isUpperAscii(currency)) {
      throw Require.invalid("currency must be a three-letter ISO 4217 code such as USD, was " + currency);
    }
  }

  public static Money of(long amountMinor, String currency) {
    return new Money(amountMinor, currency);
  }

  public Money plus(Money other) {
    requireSameCurrency(other);
    return new Money(Math.addExact(amountMinor, other.amountMinor), currency);
  }

  public Money times(int quantity) {
    return new Money(Math.multiplyExact(amountMinor, (long) quantity), currency);
  }

  public boolean isSameCurrency(Money other) {
    return currency.equals(other.currency);
  }

  private void requireSameCurrency(Money other) {
    if (!isSameCurrency(other)) {
      throw Require.invalid("cannot add " + other.currency + " to " + currency);
    }
  }

  private static boolean isUpperAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 'A' || c > 'Z') {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return amountMinor + " " + currency + " (minor units)";
  }
}
