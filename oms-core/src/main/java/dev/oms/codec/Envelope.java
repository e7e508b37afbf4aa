package dev.oms.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.event.EventMetadata;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/** Reads and checks the CloudEvents attributes of a structured-mode JSON event. */
final class Envelope {
  static final String SPECVERSION = "specversion";
  static final String ID = "id";
  static final String SOURCE = "source";
  static final String TYPE = "type";
  static final String SUBJECT = "subject";
  static final String TIME = "time";
  static final String DATACONTENTTYPE = "datacontenttype";
  static final String SCHEMAVERSION = "schemaversion";
  static final String CORRELATIONID = "correlationid";
  static final String CAUSATIONID = "causationid";
  static final String TRACEPARENT = "traceparent";
  static final String DATA = "data";
  static final String SPEC_1_0 = "1.0";
  static final String JSON = "application/json";

  private Envelope() {}

  /** The top-level JSON object of {@code bytes}, or MALFORMED_EVENT. */
  static ObjectNode parse(byte[] bytes) {
    JsonNode root;
    try {
      root = CodecMapper.MAPPER.readTree(bytes);
    } catch (JacksonException e) {
      // Jackson's message quotes the offending token, which may be personal data: keep only where.
      throw new OmsException(Kind.MALFORMED_EVENT, "event is not valid JSON (" + Messages.where(e) + ")");
    } catch (IOException e) {
      throw new OmsException(Kind.MALFORMED_EVENT, "event could not be read: " + e.getClass().getSimpleName());
    }
    if (root == null || !root.isObject()) {
      String what = root == null || root.isMissingNode()
          ? "empty"
          : root.getNodeType().toString().toLowerCase(Locale.ROOT);
      throw new OmsException(Kind.MALFORMED_EVENT, "event must be a JSON object but was " + what);
    }
    return (ObjectNode) root;
  }

  /**
   * The structured-mode object of a binary-mode event: its attributes as strings
   * ({@code schemaversion} as a number when it is one) and its data parsed as JSON.
   */
  static ObjectNode fromBinary(Map<String, String> attributes, byte[] data) {
    ObjectNode root = CodecMapper.MAPPER.createObjectNode();
    attributes.forEach((name, value) -> {
      if (value != null) {
        root.put(name, value);
      }
    });
    String version = attributes.get(SCHEMAVERSION);
    if (version != null) {
      try {
        root.put(SCHEMAVERSION, Integer.parseInt(version));
      } catch (NumberFormatException e) {
        // left as text: schemaVersion() reports it as not an integer
      }
    }
    JsonNode parsedData;
    try {
      parsedData = CodecMapper.MAPPER.readTree(data);
    } catch (JacksonException e) {
      throw new OmsException(Kind.MALFORMED_EVENT, "event data is not valid JSON (" + Messages.where(e) + ")");
    } catch (IOException e) {
      throw new OmsException(Kind.MALFORMED_EVENT, "event data could not be read: " + e.getClass().getSimpleName());
    }
    if (parsedData != null && !parsedData.isMissingNode()) {
      root.set(DATA, parsedData);
    }
    return root;
  }

  /** Structured-mode CloudEvents 1.0 with JSON data, or MALFORMED_EVENT. */
  static void checkFormat(ObjectNode root) {
    JsonNode spec = root.get(SPECVERSION);
    if (spec == null || !spec.isTextual() || !SPEC_1_0.equals(spec.textValue())) {
      throw new OmsException(Kind.MALFORMED_EVENT,
          "event is not CloudEvents 1.0: 'specversion' must be \"1.0\" but was " + Messages.describe(spec));
    }
    JsonNode contentType = root.get(DATACONTENTTYPE);
    if (contentType != null && !(contentType.isTextual() && isJson(contentType.textValue()))) {
      throw new OmsException(Kind.MALFORMED_EVENT,
          "event data must be JSON but 'datacontenttype' was " + Messages.describe(contentType));
    }
  }

  /** application/json, text/json or any +json type, with or without parameters. */
  private static boolean isJson(String contentType) {
    int semicolon = contentType.indexOf(';');
    String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    return media.equals(JSON) || media.equals("text/json") || media.endsWith("+json");
  }

  /** A required, non-blank string attribute, or INVALID_EVENT naming it. */
  static String text(ObjectNode root, String name, String typeName) {
    JsonNode node = root.get(name);
    if (node == null || !node.isTextual() || node.textValue().isBlank()) {
      throw new OmsException(Kind.INVALID_EVENT, prefix(typeName) + "CloudEvents attribute '" + name
          + "' is required as a non-blank string but was " + Messages.describe(node));
    }
    return node.textValue();
  }

  /** The {@code data} object, or INVALID_EVENT. */
  static ObjectNode data(ObjectNode root, String typeName) {
    JsonNode node = root.get(DATA);
    if (node == null || !node.isObject()) {
      throw new OmsException(Kind.INVALID_EVENT, prefix(typeName)
          + "CloudEvents attribute 'data' is required as a JSON object but was " + Messages.describe(node));
    }
    return (ObjectNode) node;
  }

  /** The schema version the producer wrote; absent means 1 (events from before versioning). */
  static int schemaVersion(ObjectNode root, String typeName) {
    JsonNode node = root.get(SCHEMAVERSION);
    if (node == null) {
      return 1;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw new OmsException(Kind.INVALID_EVENT,
          prefix(typeName) + "attribute 'schemaversion' must be an integer but was " + Messages.describe(node));
    }
    return node.intValue();
  }

  /** The event's metadata from its attributes; {@code source} is checked but not kept. */
  static EventMetadata metadata(ObjectNode root, String typeName) {
    String id = text(root, ID, typeName);
    text(root, SOURCE, typeName);
    String subject = text(root, SUBJECT, typeName);
    String time = text(root, TIME, typeName);
    String correlationId = text(root, CORRELATIONID, typeName);
    String causationId = text(root, CAUSATIONID, typeName);
    String traceparent = text(root, TRACEPARENT, typeName);
    return new EventMetadata(id, subject, instant(time, typeName), correlationId, causationId, traceparent);
  }

  private static Instant instant(String time, String typeName) {
    try {
      return Instant.parse(time);
    } catch (DateTimeParseException e) {
      throw new OmsException(Kind.INVALID_EVENT, prefix(typeName)
          + "attribute 'time' must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z but was \""
          + Messages.truncate(time, 40) + "\"", e);
    }
  }

  private static String prefix(String typeName) {
    return typeName == null ? "" : typeName + " event: ";
  }
}
