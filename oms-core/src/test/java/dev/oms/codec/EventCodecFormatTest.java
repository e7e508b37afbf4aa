package dev.oms.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderCreated;
import dev.oms.fixtures.SampleEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bytes are CloudEvents 1.0 structured-mode JSON that other tools can read. */
class EventCodecFormatTest {
  private final OrderCreated created = SampleEvents.orderCreated("order-fmt-1", "SKU-BOOK", 3, 1_250);
  private final ObjectNode json = CodecJson.encodedTree(created);

  @Test
  void writesTheCloudEventsAttributes() {
    var m = created.metadata();
    assertThat(json.get("specversion").textValue()).isEqualTo("1.0");
    assertThat(json.get("id").textValue()).isEqualTo(m.eventId());
    assertThat(json.get("source").textValue()).isEqualTo("/oms");
    assertThat(json.get("type").textValue()).isEqualTo("dev.oms.order.created");
    assertThat(json.get("subject").textValue()).isEqualTo("order-fmt-1");
    assertThat(json.get("time").textValue()).isEqualTo(m.occurredAt().toString());
    assertThat(json.get("datacontenttype").textValue()).isEqualTo("application/json");
    assertThat(json.get("schemaversion").intValue()).isEqualTo(2);
    assertThat(json.get("correlationid").textValue()).isEqualTo(m.correlationId());
    assertThat(json.get("causationid").textValue()).isEqualTo(m.causationId());
    assertThat(json.get("traceparent").textValue()).isEqualTo(SampleEvents.TRACEPARENT);
    assertThat(json.get("data").isObject()).isTrue();
  }

  @Test
  void writesTheAttributesBeforeData() {
    assertThat(json.fieldNames()).toIterable().containsExactly("specversion", "id", "source", "type", "subject",
        "time", "datacontenttype", "schemaversion", "correlationid", "causationid", "traceparent", "data");
  }

  @Test
  void dataHasNoMetadataAndNestsValueObjects() {
    JsonNode data = json.get("data");
    assertThat(data.has("metadata")).isFalse();
    assertThat(data.get("total").toString()).isEqualTo("{\"amountMinor\":3750,\"currency\":\"USD\"}");
    assertThat(data.get("lines").isArray()).isTrue();
    assertThat(data.get("lines").get(0).toString())
        .isEqualTo("{\"sku\":\"SKU-BOOK\",\"quantity\":3,\"unitPrice\":{\"amountMinor\":1250,\"currency\":\"USD\"}}");
    assertThat(data.at("/customer/shippingAddress/city").textValue()).isEqualTo("Springfield");
    assertThat(data.at("/payment/token").textValue()).isEqualTo("tok_visa_4242");
  }

  @Test
  void personalDataStaysInDataNotInAttributes() {
    List<String> attributeText = new ArrayList<>();
    json.properties().forEach(e -> {
      if (!e.getKey().equals("data")) {
        attributeText.add(e.getKey() + "=" + e.getValue());
      }
    });
    assertThat(String.join(",", attributeText))
        .doesNotContain("ada@example.com", "tok_visa_4242", "1 Main Street", "cust-42");
  }

  @Test
  void writesEnumsByName() {
    OrderCancelled cancelled = (OrderCancelled) SampleEvents.all("order-fmt-2").get(8);
    assertThat(CodecJson.encodedTree(cancelled).at("/data/reason").textValue()).isEqualTo("OUT_OF_STOCK");
  }

  @Test
  void writesTheConfiguredSource() {
    EventCodec codec = EventCodec.builder().source("urn:oms:checkout").build();
    assertThat(CodecJson.tree(codec.encode(created)).get("source").textValue()).isEqualTo("urn:oms:checkout");
  }
}
