package dev.oms.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oms.event.Address;
import dev.oms.event.Customer;
import dev.oms.event.EventMetadata;
import dev.oms.event.EventType;
import dev.oms.event.EventTypes;
import dev.oms.event.Money;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.fixtures.SampleEvents;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecRoundTripTest {
  private final EventCodec codec = EventCodec.ofDefaults();

  static Stream<OrderEvent> samples() {
    return SampleEvents.all("order-rt-1").stream();
  }

  @Test
  void samplesCoverEveryEventType() {
    List<EventType<?>> sampled = samples().<EventType<?>>map(OrderEvent::type).toList();
    assertThat(sampled).containsExactlyElementsOf(EventTypes.ALL);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("samples")
  void decodesWhatItEncodes(OrderEvent event) {
    OrderEvent decoded = codec.decode(codec.encode(event));

    assertThat(decoded).isEqualTo(event).isInstanceOf(event.getClass());
    assertThat(decoded.metadata()).isEqualTo(event.metadata());
  }

  /** data holds exactly the business components: no metadata, no derived values like lineTotal. */
  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("samples")
  void dataHasExactlyTheRecordComponentsExceptMetadata(OrderEvent event) {
    ObjectNode data = (ObjectNode) CodecJson.encodedTree(event).get("data");

    List<String> expected = Arrays.stream(event.getClass().getRecordComponents())
        .map(RecordComponent::getName)
        .filter(name -> !name.equals("metadata"))
        .collect(Collectors.toList());
    assertThat(data.fieldNames()).toIterable().containsExactlyElementsOf(expected);
  }

  @Test
  void encodingIsDeterministic() {
    OrderEvent event = SampleEvents.orderCreated("order-rt-2");
    assertThat(codec.encode(event)).isEqualTo(codec.encode(event));
  }

  @Test
  void keepsNonAsciiTextAndNanosecondTimes() {
    EventMetadata metadata = new EventMetadata(
        "e-1", "order-ü-1", Instant.parse("2024-02-29T23:59:59.123456789Z"), "e-1", "e-1", SampleEvents.TRACEPARENT);
    Customer customer = new Customer("c-1", "zoë@example.com", new Address("Bahnhofstraße 1", "Zürich", "8001", "CH"));
    OrderCreated event = new OrderCreated(
        metadata, customer, List.of(SampleEvents.line("SKU-☕", 1, 500)), Money.of(500, "USD"), SampleEvents.payment());

    byte[] bytes = codec.encode(event);

    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("Zürich", "SKU-☕", "2024-02-29T23:59:59.123456789Z");
    assertThat(codec.decode(bytes)).isEqualTo(event);
  }
}
