package dev.oms.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** Short, bounded error-message fragments: event bytes are untrusted and may be huge. */
final class Messages {
  private static final int MAX = 200;

  private Messages() {}

  /** Jackson's message without its source location, cut to a readable length. */
  static String brief(JacksonException e) {
    String m = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    return truncate(m == null ? e.getClass().getSimpleName() : m, MAX);
  }

  /** Where a parse error happened, without the offending text. */
  static String where(JacksonException e) {
    com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
    return at == null ? "syntax error" : "syntax error at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /**
   * "missing", "blank", a short string value, or else the JSON type. Only used for envelope
   * attributes, which carry ids and versions, not personal data.
   */
  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "missing";
    }
    if (node.isTextual()) {
      return node.textValue().isBlank() ? "blank" : "the string \"" + truncate(node.textValue(), 40) + "\"";
    }
    return "of JSON type " + node.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
