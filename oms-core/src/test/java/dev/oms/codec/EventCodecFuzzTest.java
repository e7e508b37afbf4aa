package dev.oms.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oms.OmsException;
import dev.oms.event.OrderEvent;
import dev.oms.fixtures.SampleEvents;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever bytes arrive, decode answers with an event or an OmsException, never anything else. */
class EventCodecFuzzTest {
  private static final EventCodec CODEC = EventCodec.ofDefaults();
  private static final List<OrderEvent> SAMPLES = SampleEvents.all("order-fuzz-1");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Decodes and checks the only allowed outcomes; the codec's last-resort net must not be needed. */
  private static void decodeOnlyThrowsOmsException(byte[] bytes) {
    try {
      CODEC.decode(bytes);
    } catch (OmsException e) {
      assertThat(e.kind()).isNotNull();
      assertThat(e.getMessage()).isNotBlank().doesNotStartWith("event could not be decoded");
    }
    assertThat(CODEC.peekAttributes(bytes)).isNotNull();
  }

  @Property(tries = 500)
  void randomBytes(@ForAll("bytes") byte[] bytes) {
    decodeOnlyThrowsOmsException(bytes);
  }

  @Property(tries = 500)
  void randomJsonishText(@ForAll("jsonish") String text) {
    decodeOnlyThrowsOmsException(text.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 500)
  void damagedValidEvents(@ForAll("damaged") byte[] bytes) {
    decodeOnlyThrowsOmsException(bytes);
  }

  @Property(tries = 1000)
  void validEnvelopesWithOneValueReplaced(@ForAll("replaced") byte[] bytes) {
    decodeOnlyThrowsOmsException(bytes);
  }

  @Provide
  Arbitrary<byte[]> bytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
  }

  @Provide
  Arbitrary<String> jsonish() {
    Arbitrary<String> token = Arbitraries.of("{", "}", "[", "]", ":", ",", "\"", "\"specversion\"", "\"1.0\"",
        "\"id\"", "\"type\"", "\"dev.oms.order.created\"", "\"data\"", "\"schemaversion\"", "null", "true", "-1",
        "1e999", "0.5", "99999999999999999999", "\"\\u0000\"", "\\", " ", "\"x\"", "\"time\"", "\"lines\"");
    return token.list().ofMaxSize(60).map(tokens -> String.join("", tokens));
  }

  @Provide
  Arbitrary<byte[]> damaged() {
    Arbitrary<String> valid = Arbitraries.of(SAMPLES).map(e -> new String(CODEC.encode(e), StandardCharsets.UTF_8));
    return Combinators.combine(valid, Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 40),
            Arbitraries.strings().ofMaxLength(8))
        .as((json, at, cut, insert) -> {
          int start = at % json.length();
          int end = Math.min(json.length(), start + cut);
          return (json.substring(0, start) + insert + json.substring(end)).getBytes(StandardCharsets.UTF_8);
        });
  }

  @Provide
  Arbitrary<byte[]> replaced() {
    return Combinators.combine(Arbitraries.of(SAMPLES), Arbitraries.integers().between(0, 10_000), anyJson())
        .as((event, pick, value) -> {
          ObjectNode root = CodecJson.encodedTree(event);
          List<ValueSlot> slots = new ArrayList<>();
          collect(root, slots);
          slots.get(pick % slots.size()).replace(value);
          return CodecJson.bytes(root);
        });
  }

  private static Arbitrary<JsonNode> anyJson() {
    return Arbitraries.oneOf(
        Arbitraries.just(NODES.nullNode()),
        Arbitraries.of(true, false).map(NODES::booleanNode),
        Arbitraries.longs().map(NODES::numberNode),
        Arbitraries.of(0.5, -1.0, 1e300, Double.MIN_VALUE).map(NODES::numberNode),
        Arbitraries.just(NODES.numberNode(new BigInteger("123456789012345678901234567890"))),
        Arbitraries.strings().ofMaxLength(20).map(NODES::textNode),
        Arbitraries.of("USD", "usd", "", " ", "PAYMENT_DECLINED", "4111111111111111", "2024-01-01T00:00:00Z")
            .map(NODES::textNode),
        Arbitraries.just(NODES.arrayNode()),
        Arbitraries.just(NODES.arrayNode().addNull()),
        Arbitraries.just(NODES.objectNode()),
        Arbitraries.just(NODES.objectNode().put("amountMinor", -5).put("currency", "USD")));
  }

  /** A place in the tree whose value can be swapped: an object field or an array element. */
  private interface ValueSlot {
    void replace(JsonNode value);
  }

  private static void collect(JsonNode node, List<ValueSlot> slots) {
    if (node instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        slots.add(value -> object.set(name, value));
        collect(object.get(name), slots);
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        int index = i;
        slots.add(value -> array.set(index, value));
        collect(array.get(i), slots);
      }
    }
  }
}
