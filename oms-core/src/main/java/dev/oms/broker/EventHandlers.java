package dev.oms.broker;

import dev.oms.OmsException;
import dev.oms.event.EventType;
import dev.oms.event.OrderEvent;
import dev.oms.internal.Require;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The handlers of one consumer group, one per event type; the group subscribes to exactly these
 * types. Built once, read-only afterwards, so routing an event is a single map lookup.
 *
 * <p>A handler that blocks on I/O (a JDBC port, an HTTP gateway) is registered with
 * {@link Builder#onBlocking}: it then runs on the bus's blocking pool, at most the group's
 * concurrency at once, never on the core-count workers that every other group shares.
 *
 * <pre>{@code
 * EventHandlers handlers = EventHandlers.builder()
 *     .on(ShipmentPrepared.TYPE, (event, ctx) -> ctx.publish(pack(event)))
 *     .onBlocking(OrderCreated.TYPE, (event, ctx) -> chargeOverHttp(event))
 *     .build();
 * }</pre>
 */
public final class EventHandlers {
  private final Map<String, EventHandler<OrderEvent>> byType;
  private final Set<String> blocking;

  private EventHandlers(Map<String, EventHandler<OrderEvent>> byType, Set<String> blocking) {
    this.byType = Map.copyOf(byType);
    this.blocking = Set.copyOf(blocking);
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

  /** True when the handler of {@code typeName} was declared blocking. */
  public boolean isBlocking(String typeName) {
    return !blocking.isEmpty() && blocking.contains(typeName);
  }

  /**
   * The same handlers, each passed through {@code wrapper} (to add a check, a metric, a
   * transaction around the built-in services' handlers); blocking declarations are kept.
   */
  public EventHandlers wrap(Wrapper wrapper) {
    Require.config(wrapper, "wrapper");
    Map<String, EventHandler<OrderEvent>> wrapped = new HashMap<>();
    byType.forEach((type, handler) ->
        wrapped.put(type, Require.config(wrapper.wrap(type, handler), "wrapped handler of " + type)));
    return new EventHandlers(wrapped, blocking);
  }

  /** The same handlers, every one declared blocking (its ports do I/O). */
  public EventHandlers blocking() {
    return new EventHandlers(byType, byType.keySet());
  }

  /** A builder starting from these handlers: replace some with {@code on}/{@code replace}, add others. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.byType.putAll(byType);
    builder.blocking.addAll(blocking);
    return builder;
  }

  /** Wraps one handler; see {@link #wrap}. */
  @FunctionalInterface
  public interface Wrapper {
    EventHandler<OrderEvent> wrap(String type, EventHandler<OrderEvent> handler);
  }

  /** Builds an {@link EventHandlers}. */
  public static final class Builder {
    private final Map<String, EventHandler<OrderEvent>> byType = new HashMap<>();
    private final Set<String> blocking = new HashSet<>();

    private Builder() {}

    /** Handles events of {@code type}; one handler per type. */
    public <E extends OrderEvent> Builder on(EventType<E> type, EventHandler<? super E> handler) {
      return add(type, handler, false, false);
    }

    /** Handles events of {@code type} with a handler that blocks on I/O; it runs on the blocking pool. */
    public <E extends OrderEvent> Builder onBlocking(EventType<E> type, EventHandler<? super E> handler) {
      return add(type, handler, true, false);
    }

    /** Replaces the handler of {@code type} (from {@link EventHandlers#toBuilder()}), or adds it. */
    public <E extends OrderEvent> Builder replace(EventType<E> type, EventHandler<? super E> handler, boolean blocks) {
      return add(type, handler, blocks, true);
    }

    @SuppressWarnings("unchecked")
    private <E extends OrderEvent> Builder add(EventType<E> type, EventHandler<? super E> handler, boolean blocks,
        boolean replace) {
      Require.config(type, "event type");
      Require.config(handler, "handler for " + type.name());
      if (!replace && byType.containsKey(type.name())) {
        throw new OmsException(OmsException.Kind.CONFIGURATION, "two handlers for event type " + type.name());
      }
      byType.put(type.name(), (EventHandler<OrderEvent>) handler);
      if (blocks) {
        blocking.add(type.name());
      } else {
        blocking.remove(type.name());
      }
      return this;
    }

    public EventHandlers build() {
      Require.configCheck(!byType.isEmpty(), "a consumer group needs at least one handler");
      return new EventHandlers(byType, blocking);
    }
  }
}
