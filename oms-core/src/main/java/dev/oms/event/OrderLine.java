package dev.oms.event;

import dev.oms.internal.Require;

/** One line of a basket: how many of which SKU at what unit price. */
public record OrderLine(String sku, int quantity, Money unitPrice) {
  public OrderLine {
    Require.nonBlank(sku, "line sku");
    Require.check(quantity > 0, "line quantity must be positive, was " + quantity + " for " + sku);
    Require.nonNull(unitPrice, "line unitPrice");
  }

  public Money lineTotal() {
    return unitPrice.times(quantity);
  }
}
