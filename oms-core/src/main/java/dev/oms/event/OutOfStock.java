package dev.oms.event;

import dev.oms.internal.Require;

/** Inventory could not reserve the order: {@code sku} had fewer than {@code requested} units. */
public record OutOfStock(EventMetadata metadata, String sku, int requested, long available) implements OrderEvent {

  public static final EventType<OutOfStock> TYPE = EventType.of("dev.oms.stock.out-of-stock", OutOfStock.class, 1);

  public OutOfStock {
    Require.nonNull(metadata, "metadata");
    Require.nonBlank(sku, "sku");
  }

  @Override
  public EventType<OutOfStock> type() {
    return TYPE;
  }
}
