package dev.oms.port;

import dev.oms.event.OrderEvent;
import java.util.Optional;

/** The read model that answers "what is the status and timeline of order X". */
public interface OrderStore {

  /** Applies one event of an order; called one event at a time per order, in order. */
  void apply(OrderEvent event);

  Optional<OrderView> find(String orderId);

  /** How many orders are in {@code status}. */
  long count(OrderStatus status);
}
