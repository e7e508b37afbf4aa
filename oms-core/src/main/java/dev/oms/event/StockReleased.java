package dev.oms.event;

import dev.oms.internal.Require;
import java.util.List;

/** Inventory returned a cancelled order's reservation to available stock. */
public record StockReleased(EventMetadata metadata, List<OrderLine> lines) implements OrderEvent {

  public static final EventType<StockReleased> TYPE = EventType.of("dev.oms.stock.released", StockReleased.class, 1);

  public StockReleased {
    Require.nonNull(metadata, "metadata");
    Require.check(lines != null && !lines.isEmpty(), "a release needs at least one line");
    lines = List.copyOf(lines);
  }

  @Override
  public EventType<StockReleased> type() {
    return TYPE;
  }
}
