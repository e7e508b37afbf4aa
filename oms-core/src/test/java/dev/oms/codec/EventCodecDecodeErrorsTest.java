package dev.oms.codec;

import static dev.oms.codec.CodecJson.bytes;
import static dev.oms.codec.CodecJson.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.fixtures.SampleEvents;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way bytes can fail to decode ends in an OmsException with the right kind and a clear message. */
class EventCodecDecodeErrorsTest {
  private final EventCodec codec = EventCodec.ofDefaults();
  private final OrderCreated created = SampleEvents.orderCreated("order-err-1", "SKU-BOOK", 2, 1_000);
  private final ObjectNode valid = CodecJson.encodedTree(created);

  private AbstractThrowableAssert<?, ? extends Throwable> decoding(byte[] bytes, Kind kind) {
    return assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(OmsException.class)
        .satisfies(e -> assertThat(((OmsException) e).kind()).isEqualTo(kind));
  }

  private ObjectNode data() {
    return (ObjectNode) valid.get("data");
  }

  @Test
  void malformedJson() {
    decoding(utf8("{\"specversion\":\"1.0\", \"id\": "), Kind.MALFORMED_EVENT).hasMessageContaining("not valid JSON");
    decoding(utf8("not json at all"), Kind.MALFORMED_EVENT).hasMessageContaining("not valid JSON");
    decoding(new byte[0], Kind.MALFORMED_EVENT).hasMessageContaining("JSON object");
    decoding(null, Kind.MALFORMED_EVENT).hasMessageContaining("null");
  }

  @Test
  void trailingGarbageAndDuplicateKeysAreMalformed() {
    decoding(utf8(valid + " {}"), Kind.MALFORMED_EVENT).hasMessageContaining("not valid JSON");
    String duplicated = valid.toString().replaceFirst("\\{", "{\"type\":\"dev.oms.order.cancelled\",");
    decoding(utf8(duplicated), Kind.MALFORMED_EVENT).hasMessageContaining("not valid JSON (syntax error at line 1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1,2]", "\"text\"", "42", "null", "true"})
  void notAnObject(String json) {
    decoding(utf8(json), Kind.MALFORMED_EVENT).hasMessageContaining("must be a JSON object");
  }

  @Test
  void wrongOrMissingSpecversion() {
    decoding(bytes(valid.put("specversion", "0.3")), Kind.MALFORMED_EVENT)
        .hasMessageContainingAll("specversion", "0.3");
    decoding(bytes(valid.put("specversion", 1.0)), Kind.MALFORMED_EVENT).hasMessageContaining("specversion");
    valid.remove("specversion");
    decoding(bytes(valid), Kind.MALFORMED_EVENT).hasMessageContainingAll("specversion", "missing");
  }

  @Test
  void dataThatIsNotJson() {
    decoding(bytes(valid.put("datacontenttype", "application/xml")), Kind.MALFORMED_EVENT)
        .hasMessageContainingAll("datacontenttype", "application/xml");
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json; charset=utf-8", "application/cloudevents+json", "text/json"})
  void anyJsonContentTypeIsAccepted(String contentType) {
    assertThat(codec.decode(bytes(valid.put("datacontenttype", contentType)))).isEqualTo(created);
  }

  @Test
  void absentContentTypeMeansJson() {
    valid.remove("datacontenttype");
    assertThat(codec.decode(bytes(valid))).isEqualTo(created);
  }

  @Test
  void unknownType() {
    decoding(bytes(valid.put("type", "com.example.order.teleported")), Kind.UNKNOWN_EVENT_TYPE)
        .hasMessageContainingAll("com.example.order.teleported", "not registered");
  }

  @ParameterizedTest
  @ValueSource(strings = {"id", "source", "type", "subject", "time", "data", "correlationid", "causationid",
      "traceparent"})
  void missingRequiredAttribute(String attribute) {
    valid.remove(attribute);
    decoding(bytes(valid), Kind.INVALID_EVENT).hasMessageContainingAll("'" + attribute + "'", "missing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"id", "source", "type", "subject", "time", "data", "correlationid", "causationid",
      "traceparent"})
  void requiredAttributeOfWrongJsonType(String attribute) {
    valid.put(attribute, 12);
    decoding(bytes(valid), Kind.INVALID_EVENT).hasMessageContainingAll("'" + attribute + "'", "number");
  }

  @Test
  void blankAttribute() {
    decoding(bytes(valid.put("causationid", " ")), Kind.INVALID_EVENT)
        .hasMessageContainingAll("'causationid'", "blank");
  }

  @Test
  void badTime() {
    decoding(bytes(valid.put("time", "yesterday")), Kind.INVALID_EVENT).hasMessageContainingAll("'time'", "yesterday");
  }

  @Test
  void missingDataField() {
    data().remove("total");
    decoding(bytes(valid), Kind.INVALID_EVENT).hasMessageContainingAll("dev.oms.order.created", "total");
  }

  @Test
  void nullDataField() {
    data().putNull("payment");
    decoding(bytes(valid), Kind.INVALID_EVENT).hasMessageContainingAll("dev.oms.order.created", "payment", "null");
  }

  @Test
  void missingPrimitiveInNestedRecord() {
    ((ObjectNode) data().get("lines").get(0)).remove("quantity");
    decoding(bytes(valid), Kind.INVALID_EVENT).hasMessageContainingAll("lines[0]", "quantity");
  }

  @Test
  void negativeQuantityIsRejectedByTheRecord() {
    ((ObjectNode) data().get("lines").get(0)).put("quantity", -2);
    decoding(bytes(valid), Kind.INVALID_EVENT)
        .hasMessageContainingAll("dev.oms.order.created", "lines[0]", "line quantity must be positive, was -2");
  }

  @Test
  void rawCardNumberIsRejectedByTheRecord() {
    ((ObjectNode) data().get("payment")).put("token", "4111 1111 1111 1111");
    decoding(bytes(valid), Kind.INVALID_EVENT).hasMessageContainingAll("payment", "raw card number")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("4111"));
  }

  @Test
  void wrongValueTypesAreNotCoerced() {
    ((ObjectNode) data().get("lines").get(0)).put("quantity", "2");
    decoding(bytes(valid), Kind.INVALID_EVENT).hasMessageContaining("lines[0].quantity");

    ObjectNode again = CodecJson.encodedTree(created);
    ((ObjectNode) again.at("/data/total")).put("amountMinor", 20.5);
    decoding(bytes(again), Kind.INVALID_EVENT).hasMessageContaining("total.amountMinor");
  }

  @Test
  void unknownEnumValue() {
    ObjectNode cancelled = CodecJson.encodedTree(SampleEvents.orderCancelled("order-err-2"));
    ((ObjectNode) cancelled.get("data")).put("reason", "BORED");
    decoding(bytes(cancelled), Kind.INVALID_EVENT)
        .hasMessageContainingAll("dev.oms.order.cancelled", "reason", "CancellationReason");
  }

  @Test
  void nullLineInAList() {
    ((ArrayNode) data().get("lines")).addNull();
    decoding(bytes(valid), Kind.INVALID_EVENT).hasMessageContainingAll("dev.oms.order.created", "lines[1]", "null");
  }

  @Test
  void unknownDataFieldsAreIgnored() {
    data().put("giftWrap", true).putObject("loyalty").put("points", 10);
    assertThat(codec.decode(bytes(valid))).isEqualTo(created);
  }

  @Test
  void metadataSmuggledIntoDataIsOverriddenByTheAttributes() {
    data().putObject("metadata").put("eventId", "forged");
    OrderEvent decoded = codec.decode(bytes(valid));
    assertThat(decoded.metadata()).isEqualTo(created.metadata());
  }

  @Test
  void futureSchemaVersion() {
    decoding(bytes(valid.put("schemaversion", 3)), Kind.UNKNOWN_EVENT_TYPE)
        .hasMessageContainingAll("dev.oms.order.created", "schema version 3", "newer");
  }

  @Test
  void nonsenseSchemaVersion() {
    decoding(bytes(valid.put("schemaversion", "2")), Kind.INVALID_EVENT).hasMessageContaining("schemaversion");
    decoding(bytes(valid.put("schemaversion", 0)), Kind.INVALID_EVENT).hasMessageContaining("schema version");
  }

  @Test
  void oversizedBodyIsRefusedBeforeParsing() {
    EventCodec small = EventCodec.builder().maxEventBytes(64).build();
    byte[] body = new byte[65];
    Arrays.fill(body, (byte) '{');
    assertThatThrownBy(() -> small.decode(body))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.OVERSIZED_EVENT))
        .hasMessageContainingAll("65 bytes", "64 bytes");
  }

  @Test
  void oversizedEncodeNamesTypeSizeAndLimit() {
    EventCodec small = EventCodec.builder().maxEventBytes(300).build();
    int size = codec.encode(created).length;
    assertThatThrownBy(() -> small.encode(created))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.OVERSIZED_EVENT))
        .hasMessageContainingAll("dev.oms.order.created", size + " bytes", "300 bytes");
  }
}
