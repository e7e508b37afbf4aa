package dev.oms.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads {@code id}, {@code type} and {@code subject} from bytes that may not decode, with a
 * streaming parser that stops at the first damage and keeps what it read before it.
 */
final class AttributePeek {
  private String id;
  private String type;
  private String subject;

  private AttributePeek() {}

  static EventCodec.Attributes peek(byte[] bytes) {
    AttributePeek peek = new AttributePeek();
    if (bytes != null) {
      try (JsonParser parser = CodecMapper.MAPPER.getFactory().createParser(bytes)) {
        peek.read(parser);
      } catch (IOException | RuntimeException e) {
        // Best effort by design: whatever was read before the damage is the answer.
      }
    }
    return new EventCodec.Attributes(peek.id, peek.type, peek.subject);
  }

  private void read(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return;
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME && !complete()) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      if (value == JsonToken.VALUE_STRING) {
        keep(name, parser.getText());
      } else {
        parser.skipChildren();
      }
    }
  }

  private void keep(String name, String value) {
    switch (name) {
      case Envelope.ID -> id = value;
      case Envelope.TYPE -> type = value;
      case Envelope.SUBJECT -> subject = value;
      default -> { }
    }
  }

  private boolean complete() {
    return id != null && type != null && subject != null;
  }
}
