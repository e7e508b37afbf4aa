package dev.oms.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oms.event.OrderEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test helpers to look at and tamper with encoded events through a plain, independent mapper. */
final class CodecJson {
  static final ObjectMapper PLAIN = new ObjectMapper();

  private CodecJson() {}

  static ObjectNode tree(byte[] bytes) {
    try {
      return (ObjectNode) PLAIN.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode encodedTree(OrderEvent event) {
    return tree(EventCodec.ofDefaults().encode(event));
  }

  static byte[] bytes(JsonNode node) {
    try {
      return PLAIN.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] resource(String name) {
    try (InputStream in = CodecJson.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
