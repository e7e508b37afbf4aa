package dev.oms.event;

import dev.oms.internal.Require;

/**
 * The identity of one kind of event: its CloudEvents {@code type}, its Java record and the schema
 * version this code writes. Every {@link OrderEvent} record holds its type in a {@code TYPE}
 * constant, so routing and encoding never look at classes reflectively.
 */
public record EventType<T extends OrderEvent>(String name, Class<T> javaType, int version) {
  public EventType {
    Require.nonBlank(name, "event type name");
    Require.nonNull(javaType, "event java type");
    if (version < 1) {
      throw Require.invalid("schema version must be >= 1, was " + version);
    }
  }

  public static <T extends OrderEvent> EventType<T> of(String name, Class<T> javaType, int version) {
    return new EventType<>(name, javaType, version);
  }

  @Override
  public String toString() {
    return name + "/v" + version;
  }
}
