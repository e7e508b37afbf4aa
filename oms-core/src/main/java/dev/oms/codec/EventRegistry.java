package dev.oms.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.event.EventType;
import dev.oms.event.EventTypes;
import dev.oms.internal.Require;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The event types a codec knows by CloudEvents {@code type} name, and the {@link Upcaster}s that
 * lift older schema versions of them to the current one. Immutable; built once and shared.
 */
public final class EventRegistry {
  private final ImmutableMap<String, EventType<?>> types;
  /** Per type name, the upcasters keyed by the version they read. */
  private final ImmutableMap<String, ImmutableMap<Integer, Upcaster>> upcasters;

  private EventRegistry(
      ImmutableMap<String, EventType<?>> types, ImmutableMap<String, ImmutableMap<Integer, Upcaster>> upcasters) {
    this.types = types;
    this.upcasters = upcasters;
  }

  /** Every type OMS defines ({@link EventTypes#ALL}) and the upcasters of their older versions. */
  public static EventRegistry ofDefaults() {
    Builder builder = builder();
    EventTypes.ALL.forEach(builder::register);
    return builder.upcaster(new OrderCreatedV1Upcaster()).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The type registered under {@code typeName}, if any. */
  public Optional<EventType<?>> find(String typeName) {
    return typeName == null ? Optional.empty() : Optional.ofNullable(types.get(typeName));
  }

  /** Every registered type name, in registration order. */
  public Set<String> typeNames() {
    return types.keySet();
  }

  /** Every registered type, in registration order. */
  public List<EventType<?>> types() {
    return types.values().asList();
  }

  /**
   * Lifts {@code data} written at schema version {@code fromVersion} of {@code typeName} to the
   * type's current version, applying one upcaster per version step. Upcasters may change
   * {@code data} in place; pass a copy to keep the original. Returns {@code data} itself when it is
   * already current.
   *
   * @throws OmsException UNKNOWN_EVENT_TYPE for an unregistered type, a version newer than this
   *     code knows, or a version no upcaster chain reaches; INVALID_EVENT for a version below 1 or
   *     an upcaster that rejects the data
   */
  public ObjectNode upcastToCurrent(String typeName, int fromVersion, ObjectNode data) {
    EventType<?> type = find(typeName).orElseThrow(() -> unknownType(typeName));
    if (fromVersion < 1) {
      throw new OmsException(Kind.INVALID_EVENT,
          typeName + " has schema version " + fromVersion + "; schema versions start at 1");
    }
    if (fromVersion > type.version()) {
      throw new OmsException(Kind.UNKNOWN_EVENT_TYPE,
          typeName + " schema version " + fromVersion + " is newer than version " + type.version()
              + " known to this code; upgrade the consumer before the producer");
    }
    ObjectNode current = data;
    Map<Integer, Upcaster> chain = upcasters.getOrDefault(typeName, ImmutableMap.of());
    for (int v = fromVersion; v < type.version(); v++) {
      Upcaster step = chain.get(v);
      if (step == null) {
        throw new OmsException(Kind.UNKNOWN_EVENT_TYPE,
            typeName + " schema version " + fromVersion + " is no longer readable: no upcaster from version "
                + v + " to " + (v + 1) + " is registered");
      }
      current = apply(step, typeName, v, current);
    }
    return current;
  }

  private static ObjectNode apply(Upcaster step, String typeName, int version, ObjectNode data) {
    ObjectNode result;
    try {
      result = step.upcast(data);
    } catch (OmsException e) {
      throw e;
    } catch (RuntimeException e) {
      // Upcasters are pluggable code; their bugs must still surface as an OmsException.
      throw new OmsException(Kind.INVALID_EVENT,
          "upcasting " + typeName + " from schema version " + version + " failed: " + e, e);
    }
    if (result == null) {
      throw new OmsException(Kind.INVALID_EVENT,
          "upcasting " + typeName + " from schema version " + version + " produced no data");
    }
    return result;
  }

  private static OmsException unknownType(String typeName) {
    return new OmsException(Kind.UNKNOWN_EVENT_TYPE, "event type '" + typeName + "' is not registered");
  }

  @Override
  public String toString() {
    return "EventRegistry" + types.values();
  }

  /** Collects types and upcasters; {@link #build()} checks that they fit together. */
  public static final class Builder {
    private final List<EventType<?>> types = new ArrayList<>();
    private final List<Upcaster> upcasters = new ArrayList<>();

    private Builder() {}

    public Builder register(EventType<?> type) {
      types.add(Require.config(type, "event type"));
      return this;
    }

    public Builder upcaster(Upcaster upcaster) {
      upcasters.add(Require.config(upcaster, "upcaster"));
      return this;
    }

    /**
     * @throws OmsException CONFIGURATION on a duplicate type name or Java type, an upcaster for an
     *     unregistered type, or upcasters of a type that do not form one unbroken chain ending at
     *     its current version
     */
    public EventRegistry build() {
      Map<String, EventType<?>> byName = new LinkedHashMap<>();
      Set<Class<?>> classes = new HashSet<>();
      for (EventType<?> type : types) {
        Require.configCheck(byName.putIfAbsent(type.name(), type) == null,
            "event type '" + type.name() + "' is registered twice");
        Require.configCheck(classes.add(type.javaType()),
            "Java type " + type.javaType().getName() + " is registered under two event type names");
      }
      Map<String, Map<Integer, Upcaster>> chains = new LinkedHashMap<>();
      for (Upcaster upcaster : upcasters) {
        addToChain(byName, chains, upcaster);
      }
      ImmutableMap.Builder<String, ImmutableMap<Integer, Upcaster>> frozen = ImmutableMap.builder();
      chains.forEach((name, chain) -> {
        checkNoGap(byName.get(name), chain);
        frozen.put(name, ImmutableMap.copyOf(chain));
      });
      return new EventRegistry(ImmutableMap.copyOf(byName), frozen.build());
    }

    private static void addToChain(
        Map<String, EventType<?>> byName, Map<String, Map<Integer, Upcaster>> chains, Upcaster upcaster) {
      String name = upcaster.type();
      int from = upcaster.fromVersion();
      EventType<?> type = byName.get(name);
      Require.configCheck(type != null,
          "upcaster " + upcaster.getClass().getName() + " is for event type '" + name + "', which is not registered");
      Require.configCheck(from >= 1 && from < type.version(),
          "upcaster " + upcaster.getClass().getName() + " reads version " + from + " of " + name
              + ", but only versions 1 to " + (type.version() - 1) + " can be upcast to current version "
              + type.version());
      Upcaster previous = chains.computeIfAbsent(name, n -> new LinkedHashMap<>()).putIfAbsent(from, upcaster);
      Require.configCheck(previous == null, "two upcasters read version " + from + " of " + name);
    }

    /** The chain must reach the current version from its lowest step without skipping one. */
    private static void checkNoGap(EventType<?> type, Map<Integer, Upcaster> chain) {
      int lowest = chain.keySet().stream().mapToInt(Integer::intValue).min().orElseThrow();
      for (int v = lowest; v < type.version(); v++) {
        Require.configCheck(chain.containsKey(v),
            "upcasters of " + type.name() + " have a gap: none reads version " + v + " (needed to reach version "
                + type.version() + " from version " + lowest + ")");
      }
    }
  }
}
