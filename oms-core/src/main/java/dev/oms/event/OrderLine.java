package dev.oms.event;

import dev.oms.internal.Require;

/** One line of a basket: how many of which SKU at what unit price. */
public record OrderLine(String sku, int quantity, Money unitPrice) {
  public OrderLine {
    Require.nonBlank(sku, "line sku");
    if (quantity <= 0) { // the message is built only on failure: lines are made on every order
      throw Require.invalid("line quantity must be positive, was " + quantity + " for " + sku);
    }
    Require.nonNull(unitPrice, "line unitPrice");
  }

  public Money lineTotal() {
    return unitPrice.times(quantity);
  }
}
