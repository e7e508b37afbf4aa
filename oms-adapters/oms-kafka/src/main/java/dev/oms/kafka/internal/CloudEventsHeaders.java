package dev.oms.kafka.internal;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.codec.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The CloudEvents Kafka protocol binding: in binary mode each attribute is a {@code ce_<name>}
 * header, except {@code datacontenttype}, which is {@code content-type}; in structured mode
 * {@code content-type} is {@code application/cloudevents+json} and the value is the whole event.
 * Both modes also carry {@code ce_type} so a consumer group skips types it does not handle
 * without reading the value.
 */
public final class CloudEventsHeaders {
  static final String PREFIX = "ce_";
  static final String CONTENT_TYPE = "content-type";
  static final String TYPE = PREFIX + "type";
  static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";
  private static final byte[] STRUCTURED_CONTENT_TYPE_BYTES = STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);

  private CloudEventsHeaders() {}

  public static Headers binary(EventCodec.BinaryEvent event) {
    RecordHeaders headers = new RecordHeaders();
    event.attributes().forEach((name, value) -> headers.add(
        name.equals("datacontenttype") ? CONTENT_TYPE : PREFIX + name, value.getBytes(StandardCharsets.UTF_8)));
    return headers;
  }

  public static Headers structured(String type) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(new RecordHeader(CONTENT_TYPE, STRUCTURED_CONTENT_TYPE_BYTES));
    headers.add(new RecordHeader(TYPE, type.getBytes(StandardCharsets.UTF_8)));
    return headers;
  }

  /**
   * Whether a group handles a record, by its {@code ce_type} header compared as bytes (no string
   * per record on the poll thread); a record without one is delivered (the runtime reads its type).
   */
  public static TypeFilter typeFilter(java.util.Set<String> types) {
    byte[][] accepted = new byte[types.size()][];
    int i = 0;
    for (String type : types) {
      accepted[i++] = type.getBytes(StandardCharsets.UTF_8);
    }
    return headers -> {
      Header header = headers.lastHeader(TYPE);
      if (header == null || header.value() == null) {
        return true;
      }
      byte[] type = header.value();
      for (byte[] candidate : accepted) {
        if (java.util.Arrays.equals(candidate, type)) {
          return true;
        }
      }
      return false;
    };
  }

  /** See {@link #typeFilter}. */
  @FunctionalInterface
  public interface TypeFilter {
    boolean accepts(Headers headers);
  }

  /** The {@code ce_type} header, or null. */
  public static String type(Headers headers) {
    Header header = headers.lastHeader(TYPE);
    return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /**
   * The record as the delivery runtime takes it: binary mode when it has {@code ce_} headers and no
   * structured content type, structured otherwise (including records with no headers at all).
   */
  public static BrokerRecord toBrokerRecord(String key, Headers headers, byte[] value) {
    byte[] body = value == null ? new byte[0] : value; // a tombstone is malformed, not a crash
    Header contentType = headers.lastHeader(CONTENT_TYPE);
    String contentTypeText = contentType == null || contentType.value() == null ? null
        : new String(contentType.value(), StandardCharsets.UTF_8);
    if (contentTypeText == null || !contentTypeText.startsWith("application/cloudevents")) {
      Map<String, String> attributes = new HashMap<>(16);
      for (Header header : headers) {
        if (header.value() != null && header.key().startsWith(PREFIX)) {
          attributes.put(header.key().substring(PREFIX.length()), new String(header.value(), StandardCharsets.UTF_8));
        }
      }
      if (!attributes.isEmpty()) {
        if (contentTypeText != null) {
          attributes.put("datacontenttype", contentTypeText);
        }
        return BrokerRecord.ofBinary(key, attributes, body);
      }
    }
    // Structured mode, or no ce_ headers at all: the body carries the event; headers pass as they came.
    Map<String, String> other = new HashMap<>();
    for (Header header : headers) {
      if (header.value() != null) {
        other.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
      }
    }
    return BrokerRecord.ofBytes(other.get(TYPE), key, other, body);
  }
}
