package dev.oms.codec;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.google.common.collect.ImmutableMap;
import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.event.EventMetadata;
import dev.oms.event.EventType;
import dev.oms.event.OrderEvent;
import dev.oms.internal.Require;
import java.io.IOException;
import java.util.Map;

/**
 * Encodes {@link OrderEvent}s as CloudEvents 1.0 structured-mode JSON (UTF-8) and decodes them
 * back. {@link EventMetadata} travels as the attributes {@code id}, {@code subject} (order id),
 * {@code time}, {@code correlationid}, {@code causationid} and {@code traceparent}; the rest of the
 * record is {@code data}. Old schema versions are upcast on decode.
 *
 * <p>Immutable and thread-safe. Every failure is an {@link OmsException} with a kind: oversized
 * bytes, malformed JSON, an unknown type or version, or an invalid event.
 */
public final class EventCodec {
  /** The default size limit: 256 KiB. */
  public static final int DEFAULT_MAX_EVENT_BYTES = 256 * 1024;
  /** The default CloudEvents {@code source}. */
  public static final String DEFAULT_SOURCE = "/oms";

  private final EventRegistry registry;
  private final int maxEventBytes;
  private final String source;
  /** Per type name, its Jackson writer and reader, resolved once so no event pays for lookups. */
  private final ImmutableMap<String, Binding> bindings;

  /** What {@link #peekAttributes} could read; a field is null when it could not. */
  public record Attributes(String id, String type, String subject) {}

  /**
   * An event in CloudEvents <em>binary</em> mode, for transports with headers (Kafka {@code ce_*}):
   * the context attributes by their CloudEvents names ({@code id}, {@code type}, {@code subject},
   * {@code datacontenttype}, the extensions...) and the JSON data alone.
   */
  public record BinaryEvent(Map<String, String> attributes, byte[] data) {
    public BinaryEvent {
      attributes = Map.copyOf(attributes);
    }
  }

  private record Binding(EventType<?> type, ObjectWriter writer, ObjectReader reader) {}

  private EventCodec(Builder b) {
    this.registry = b.registry == null ? EventRegistry.ofDefaults() : b.registry;
    this.maxEventBytes = b.maxEventBytes;
    this.source = b.source;
    ImmutableMap.Builder<String, Binding> map = ImmutableMap.builder();
    for (EventType<?> type : registry.types()) {
      map.put(type.name(), new Binding(type,
          CodecMapper.MAPPER.writerFor(type.javaType()), CodecMapper.MAPPER.readerFor(type.javaType())));
    }
    this.bindings = map.build();
  }

  /** The shared codec for every OMS event type, a 256 KiB limit and source {@code /oms}. */
  public static EventCodec ofDefaults() {
    return Defaults.INSTANCE;
  }

  public static Builder builder() {
    return new Builder();
  }

  public EventRegistry registry() {
    return registry;
  }

  public int maxEventBytes() {
    return maxEventBytes;
  }

  /** The CloudEvents {@code source} written on every encoded event. */
  public String source() {
    return source;
  }

  /**
   * The event as CloudEvents JSON.
   *
   * @throws OmsException UNKNOWN_EVENT_TYPE if its type is not in the registry, OVERSIZED_EVENT if
   *     the JSON is larger than {@link #maxEventBytes()}
   */
  public byte[] encode(OrderEvent event) {
    Require.nonNull(event, "event");
    EventType<?> type = event.type();
    Binding binding = bindingFor(type);
    byte[] bytes;
    try {
      bytes = write(binding, event);
    } catch (IOException | RuntimeException e) {
      throw new OmsException(Kind.INVALID_EVENT, "could not encode " + type.name() + " event: " + e.getMessage(), e);
    }
    if (bytes.length > maxEventBytes) {
      throw new OmsException(Kind.OVERSIZED_EVENT, "encoded " + type.name() + " event " + event.eventId() + " is "
          + bytes.length + " bytes, over the limit of " + maxEventBytes + " bytes");
    }
    return bytes;
  }

  /**
   * The event in CloudEvents binary mode: attributes apart, {@code data} as JSON.
   *
   * @throws OmsException as {@link #encode}; the size limit counts the data and the attribute values
   */
  public BinaryEvent encodeBinary(OrderEvent event) {
    Require.nonNull(event, "event");
    Binding binding = bindingFor(event.type());
    byte[] data;
    try {
      data = binding.writer().writeValueAsBytes(event);
    } catch (IOException | RuntimeException e) {
      throw new OmsException(Kind.INVALID_EVENT, "could not encode " + binding.type().name() + " event: " + e.getMessage(), e);
    }
    EventMetadata m = event.metadata();
    Map<String, String> attributes = Map.ofEntries(
        Map.entry(Envelope.SPECVERSION, Envelope.SPEC_1_0),
        Map.entry(Envelope.ID, m.eventId()),
        Map.entry(Envelope.SOURCE, source),
        Map.entry(Envelope.TYPE, binding.type().name()),
        Map.entry(Envelope.SUBJECT, m.orderId()),
        Map.entry(Envelope.TIME, m.occurredAt().toString()),
        Map.entry(Envelope.DATACONTENTTYPE, Envelope.JSON),
        Map.entry(Envelope.SCHEMAVERSION, Integer.toString(binding.type().version())),
        Map.entry(Envelope.CORRELATIONID, m.correlationId()),
        Map.entry(Envelope.CAUSATIONID, m.causationId()),
        Map.entry(Envelope.TRACEPARENT, m.traceparent()));
    int size = data.length;
    for (String value : attributes.values()) {
      size += value.length();
    }
    if (size > maxEventBytes) {
      throw new OmsException(Kind.OVERSIZED_EVENT, "encoded " + binding.type().name() + " event " + event.eventId()
          + " is " + size + " bytes, over the limit of " + maxEventBytes + " bytes");
    }
    return new BinaryEvent(attributes, data);
  }

  /**
   * The event of a binary-mode record, upcast to the current schema version of its type. Checks and
   * errors are those of {@link #decode}; {@code schemaversion} is read from its decimal text.
   */
  public OrderEvent decodeBinary(Map<String, String> attributes, byte[] data) {
    try {
      if (attributes == null || data == null) {
        throw new OmsException(Kind.MALFORMED_EVENT, "binary event has no " + (data == null ? "data" : "attributes"));
      }
      int size = data.length;
      for (String value : attributes.values()) {
        size += value == null ? 0 : value.length();
      }
      if (size > maxEventBytes) {
        throw new OmsException(Kind.OVERSIZED_EVENT,
            "event is " + size + " bytes, over the limit of " + maxEventBytes + " bytes");
      }
      return read(Envelope.fromBinary(attributes, data));
    } catch (OmsException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new OmsException(Kind.MALFORMED_EVENT, "event could not be decoded: " + e, e);
    }
  }

  private Binding bindingFor(EventType<?> type) {
    Binding binding = bindings.get(type.name());
    if (binding == null || !binding.type().equals(type)) {
      throw new OmsException(Kind.UNKNOWN_EVENT_TYPE,
          "cannot encode " + type + ": the codec's registry does not know that type and version");
    }
    return binding;
  }

  private byte[] write(Binding binding, OrderEvent event) throws IOException {
    EventMetadata m = event.metadata();
    ByteArrayBuilder out = new ByteArrayBuilder(512);
    try (JsonGenerator g = CodecMapper.MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField(Envelope.SPECVERSION, Envelope.SPEC_1_0);
      g.writeStringField(Envelope.ID, m.eventId());
      g.writeStringField(Envelope.SOURCE, source);
      g.writeStringField(Envelope.TYPE, binding.type().name());
      g.writeStringField(Envelope.SUBJECT, m.orderId());
      g.writeStringField(Envelope.TIME, m.occurredAt().toString());
      g.writeStringField(Envelope.DATACONTENTTYPE, Envelope.JSON);
      g.writeNumberField(Envelope.SCHEMAVERSION, binding.type().version());
      g.writeStringField(Envelope.CORRELATIONID, m.correlationId());
      g.writeStringField(Envelope.CAUSATIONID, m.causationId());
      g.writeStringField(Envelope.TRACEPARENT, m.traceparent());
      g.writeFieldName(Envelope.DATA);
      binding.writer().writeValue(g, event);
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  /**
   * The event in {@code bytes}, upcast to the current schema version of its type.
   *
   * @throws OmsException OVERSIZED_EVENT over {@link #maxEventBytes()}; MALFORMED_EVENT for bytes
   *     that are not a CloudEvents 1.0 JSON object with JSON data; UNKNOWN_EVENT_TYPE for a type
   *     or schema version this codec cannot read; INVALID_EVENT for a missing or mistyped
   *     attribute or data field, or data the event record refuses
   */
  public OrderEvent decode(byte[] bytes) {
    try {
      return read(bytes);
    } catch (OmsException e) {
      throw e;
    } catch (RuntimeException e) {
      // A safety net: decode takes untrusted bytes and promises only OmsExceptions.
      throw new OmsException(Kind.MALFORMED_EVENT, "event could not be decoded: " + e, e);
    }
  }

  private OrderEvent read(byte[] bytes) {
    if (bytes == null) {
      throw new OmsException(Kind.MALFORMED_EVENT, "event bytes are null");
    }
    if (bytes.length > maxEventBytes) {
      throw new OmsException(Kind.OVERSIZED_EVENT,
          "event is " + bytes.length + " bytes, over the limit of " + maxEventBytes + " bytes");
    }
    return read(Envelope.parse(bytes));
  }

  private OrderEvent read(ObjectNode root) {
    Envelope.checkFormat(root);
    String typeName = Envelope.text(root, Envelope.TYPE, null);
    Binding binding = bindings.get(typeName);
    if (binding == null) {
      throw new OmsException(Kind.UNKNOWN_EVENT_TYPE, "event type '" + Messages.truncate(typeName, 100)
          + "' is not registered; known types are " + registry.typeNames());
    }
    EventMetadata metadata = Envelope.metadata(root, typeName);
    ObjectNode data = registry.upcastToCurrent(
        typeName, Envelope.schemaVersion(root, typeName), Envelope.data(root, typeName));
    // Handed to the record's constructor as-is: the "metadata" component binds the embedded object.
    data.set("metadata", new POJONode(metadata));
    try {
      return (OrderEvent) binding.reader().readValue(data);
    } catch (IOException | RuntimeException e) {
      throw BindingErrors.invalidData(typeName, e);
    }
  }

  /**
   * The {@code id}, {@code type} and {@code subject} of possibly broken bytes, to label a dead
   * letter. Never throws; a field is null when it could not be read.
   */
  public Attributes peekAttributes(byte[] bytes) {
    return AttributePeek.peek(bytes);
  }

  @Override
  public String toString() {
    return "EventCodec[source=" + source + ", maxEventBytes=" + maxEventBytes + ", types=" + bindings.size() + "]";
  }

  /** Lazily built so that merely loading the class costs nothing. */
  private static final class Defaults {
    static final EventCodec INSTANCE = builder().build();
  }

  /** Options for an {@link EventCodec}; unset options take the defaults of {@link #ofDefaults()}. */
  public static final class Builder {
    private EventRegistry registry;
    private int maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
    private String source = DEFAULT_SOURCE;

    private Builder() {}

    public Builder registry(EventRegistry registry) {
      this.registry = Require.config(registry, "registry");
      return this;
    }

    public Builder maxEventBytes(int maxEventBytes) {
      Require.configCheck(maxEventBytes > 0, "maxEventBytes must be positive, was " + maxEventBytes);
      this.maxEventBytes = maxEventBytes;
      return this;
    }

    public Builder source(String source) {
      Require.configCheck(source != null && !source.isBlank(), "source must be a non-blank URI reference");
      this.source = source;
      return this;
    }

    public EventCodec build() {
      return new EventCodec(this);
    }
  }
}
