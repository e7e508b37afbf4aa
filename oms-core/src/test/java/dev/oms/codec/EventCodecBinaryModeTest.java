package dev.oms.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.fixtures.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CloudEvents binary mode (attributes as transport headers, data alone in the body), as Kafka carries it. */
class EventCodecBinaryModeTest {
  private final EventCodec codec = EventCodec.ofDefaults();

  @Test
  void everyEventTypeRoundTripsThroughBinaryMode() {
    for (OrderEvent event : SampleEvents.all("o-1")) {
      EventCodec.BinaryEvent binary = codec.encodeBinary(event);
      assertThat(codec.decodeBinary(binary.attributes(), binary.data())).as(event.type().name()).isEqualTo(event);
    }
  }

  @Test
  void theAttributesAreTheCloudEventsContextAndTheDataHoldsNoMetadata() {
    OrderCreated created = SampleEvents.orderCreated("o-7");
    EventCodec.BinaryEvent binary = codec.encodeBinary(created);

    assertThat(binary.attributes())
        .containsEntry("specversion", "1.0")
        .containsEntry("id", created.eventId())
        .containsEntry("type", OrderCreated.TYPE.name())
        .containsEntry("subject", "o-7")
        .containsEntry("source", "/oms")
        .containsEntry("datacontenttype", "application/json")
        .containsEntry("schemaversion", Integer.toString(OrderCreated.TYPE.version()))
        .containsEntry("correlationid", created.metadata().correlationId())
        .containsEntry("traceparent", created.metadata().traceparent());
    String data = new String(binary.data(), StandardCharsets.UTF_8);
    assertThat(data).startsWith("{").doesNotContain("metadata").doesNotContain(created.eventId());
  }

  @Test
  void dataThatIsNotJsonIsMalformed() {
    EventCodec.BinaryEvent binary = codec.encodeBinary(SampleEvents.stockReserved("o-1"));
    assertThatThrownBy(() -> codec.decodeBinary(binary.attributes(), "{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED_EVENT));
  }

  @Test
  void aMissingAttributeIsInvalidAndNamed() {
    EventCodec.BinaryEvent binary = codec.encodeBinary(SampleEvents.stockReserved("o-1"));
    Map<String, String> attributes = new HashMap<>(binary.attributes());
    attributes.remove("correlationid");
    assertThatThrownBy(() -> codec.decodeBinary(attributes, binary.data()))
        .isInstanceOfSatisfying(OmsException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.INVALID_EVENT);
          assertThat(e.getMessage()).contains("correlationid");
        });
  }

  @Test
  void anUnknownTypeOrANonNumericSchemaVersionIsRefused() {
    EventCodec.BinaryEvent binary = codec.encodeBinary(SampleEvents.stockReserved("o-1"));
    Map<String, String> unknown = new HashMap<>(binary.attributes());
    unknown.put("type", "com.example.nope");
    assertThatThrownBy(() -> codec.decodeBinary(unknown, binary.data()))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_EVENT_TYPE));
    Map<String, String> badVersion = new HashMap<>(binary.attributes());
    badVersion.put("schemaversion", "two");
    assertThatThrownBy(() -> codec.decodeBinary(badVersion, binary.data()))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_EVENT));
  }

  @Test
  void theSizeLimitHoldsInBothDirections() {
    EventCodec small = EventCodec.builder().maxEventBytes(300).build();
    OrderCreated created = SampleEvents.orderCreated("o-1");
    assertThatThrownBy(() -> small.encodeBinary(created))
        .isInstanceOfSatisfying(OmsException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.OVERSIZED_EVENT);
          assertThat(e.getMessage()).contains("300 bytes");
        });
    EventCodec.BinaryEvent binary = codec.encodeBinary(created);
    assertThatThrownBy(() -> small.decodeBinary(binary.attributes(), binary.data()))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.OVERSIZED_EVENT));
  }

  @Test
  void nullPartsAreMalformedNotANullPointer() {
    assertThatThrownBy(() -> codec.decodeBinary(null, new byte[0]))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED_EVENT));
    assertThatThrownBy(() -> codec.decodeBinary(Map.of(), null))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED_EVENT));
  }
}
