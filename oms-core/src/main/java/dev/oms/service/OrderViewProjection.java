package dev.oms.service;

import dev.oms.broker.EventHandler;
import dev.oms.broker.EventHandlers;
import dev.oms.event.EventType;
import dev.oms.event.EventTypes;
import dev.oms.event.OrderEvent;
import dev.oms.port.OrderStore;

/** Keeps the {@link OrderStore} read model up to date from every event of every order. */
public final class OrderViewProjection {
  public static final String GROUP = "order-view";

  private final OrderStore store;

  public OrderViewProjection(OrderStore store) {
    this.store = store;
  }

  public EventHandlers handlers() {
    EventHandlers.Builder builder = EventHandlers.builder();
    EventHandler<OrderEvent> apply = (event, ctx) -> store.apply(event);
    for (EventType<? extends OrderEvent> type : EventTypes.ALL) {
      builder.on(type, apply);
    }
    return builder.build();
  }
}
