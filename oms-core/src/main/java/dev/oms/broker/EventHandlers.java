package dev.oms.broker;

import dev.oms.OmsException;
import dev.oms.event.EventType;
import dev.oms.event.OrderEvent;
import dev.oms.internal.Require;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The handlers of one consumer group, one per event type; the group subscribes to exactly these
 * types. Built once, read-only afterwards, so routing an event is a single map lookup.
 *
 * <pre>{@code
 * EventHandlers handlers = EventHandlers.builder()
 *     .on(ShipmentPrepared.TYPE, (event, ctx) -> ctx.publish(pack(event)))
 *     .build();
 * }</pre>
 */
public final class EventHandlers {
  private final Map<String, EventHandler<OrderEvent>> byType;

  private EventHandlers(Map<String, EventHandler<OrderEvent>> byType) {
    this.byType = Map.copyOf(byType);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The CloudEvents type names handled. */
  public Set<String> types() {
    return byType.keySet();
  }

  /** The handler for a type name, or null. */
  public EventHandler<OrderEvent> handlerFor(String typeName) {
    return byType.get(typeName);
  }

  /** Builds an {@link EventHandlers}. */
  public static final class Builder {
    private final Map<String, EventHandler<OrderEvent>> byType = new HashMap<>();

    private Builder() {}

    /** Handles events of {@code type}; one handler per type. */
    @SuppressWarnings("unchecked")
    public <E extends OrderEvent> Builder on(EventType<E> type, EventHandler<? super E> handler) {
      Require.config(type, "event type");
      Require.config(handler, "handler for " + type.name());
      if (byType.putIfAbsent(type.name(), (EventHandler<OrderEvent>) handler) != null) {
        throw new OmsException(OmsException.Kind.CONFIGURATION, "two handlers for event type " + type.name());
      }
      return this;
    }

    public EventHandlers build() {
      Require.configCheck(!byType.isEmpty(), "a consumer group needs at least one handler");
      return new EventHandlers(byType);
    }
  }
}
