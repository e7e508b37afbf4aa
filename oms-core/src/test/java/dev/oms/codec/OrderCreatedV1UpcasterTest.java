package dev.oms.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.event.EventTypes;
import dev.oms.event.Money;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Events written by OrderCreated v1 producers still decode with v2 code. */
class OrderCreatedV1UpcasterTest {
  private static final String FIXTURE = "order-created-v1.json";
  private final EventCodec codec = EventCodec.ofDefaults();

  @Test
  void decodesTheCheckedInV1Event() {
    OrderEvent event = codec.decode(CodecJson.resource(FIXTURE));

    assertThat(event).isInstanceOf(OrderCreated.class);
    OrderCreated created = (OrderCreated) event;
    assertThat(created.total()).isEqualTo(Money.of(4349, "GBP"));
    assertThat(created.orderId()).isEqualTo("order-v1-0001");
    assertThat(created.metadata().occurredAt()).isEqualTo(Instant.parse("2023-11-02T09:15:30.250Z"));
    assertThat(created.lines()).hasSize(2);
    assertThat(created.customer().shippingAddress().city()).isEqualTo("London");
  }

  @Test
  void reEncodesAsV2() {
    byte[] v2 = codec.encode(codec.decode(CodecJson.resource(FIXTURE)));
    ObjectNode json = CodecJson.tree(v2);

    assertThat(json.get("schemaversion").intValue()).isEqualTo(2);
    assertThat(json.get("data").has("totalMinor")).isFalse();
    assertThat(json.at("/data/total/amountMinor").longValue()).isEqualTo(4349);
  }

  @Test
  void absentSchemaVersionMeansVersionOne() {
    ObjectNode json = CodecJson.tree(CodecJson.resource(FIXTURE));
    json.remove("schemaversion");
    assertThat(((OrderCreated) codec.decode(CodecJson.bytes(json))).total()).isEqualTo(Money.of(4349, "GBP"));
  }

  @Test
  void v1WithoutItsFlatTotalIsInvalid() {
    ObjectNode json = CodecJson.tree(CodecJson.resource(FIXTURE));
    ((ObjectNode) json.get("data")).remove("totalMinor");
    assertThatThrownBy(() -> codec.decode(CodecJson.bytes(json)))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_EVENT))
        .hasMessageContainingAll("schema version 1", "totalMinor");
  }

  @Test
  void v1CannotBeReadWithoutTheUpcaster() {
    EventRegistry.Builder builder = EventRegistry.builder();
    EventTypes.ALL.forEach(builder::register);
    EventCodec noUpcasters = EventCodec.builder().registry(builder.build()).build();

    assertThatThrownBy(() -> noUpcasters.decode(CodecJson.resource(FIXTURE)))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_EVENT_TYPE))
        .hasMessageContaining("no upcaster from version 1");
  }
}
