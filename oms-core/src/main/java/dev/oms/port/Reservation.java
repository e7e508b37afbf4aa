package dev.oms.port;

import dev.oms.event.OrderLine;
import java.util.List;

/** The answer of {@link InventoryStore#reserve}. */
public sealed interface Reservation {

  /** Every line is held for the order. */
  record Reserved(List<OrderLine> lines) implements Reservation {
    public Reserved {
      lines = List.copyOf(lines);
    }
  }

  /** Nothing is held: {@code sku} had only {@code available} of the {@code requested} units. */
  record Rejected(String sku, int requested, long available) implements Reservation {}

  /** Nothing is held because the order was cancelled before its reservation was asked for. */
  record Cancelled() implements Reservation {}
}
