package dev.oms.event;

import dev.oms.internal.Require;
import java.util.List;

/** Inventory set aside every line of the order. */
public record StockReserved(EventMetadata metadata, List<OrderLine> lines) implements OrderEvent {

  public static final EventType<StockReserved> TYPE = EventType.of("dev.oms.stock.reserved", StockReserved.class, 1);

  public StockReserved {
    Require.nonNull(metadata, "metadata");
    Require.check(lines != null && !lines.isEmpty(), "a reservation needs at least one line");
    lines = List.copyOf(lines);
  }

  @Override
  public EventType<StockReserved> type() {
    return TYPE;
  }
}
