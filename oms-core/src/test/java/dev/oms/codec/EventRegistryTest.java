package dev.oms.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.event.EventType;
import dev.oms.event.EventTypes;
import dev.oms.event.OrderCreated;
import dev.oms.event.PaymentDeclined;
import java.util.function.UnaryOperator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class EventRegistryTest {
  /** A made-up type at version 3, so chains of more than one step can be tested. */
  private static final EventType<PaymentDeclined> V3 = EventType.of("test.v3", PaymentDeclined.class, 3);

  private static Upcaster step(String type, int from, UnaryOperator<ObjectNode> body) {
    return new Upcaster() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public int fromVersion() {
        return from;
      }

      @Override
      public ObjectNode upcast(ObjectNode data) {
        return body.apply(data);
      }
    };
  }

  private static Upcaster appending(int from) {
    return step(V3.name(), from, d -> d.put("steps", d.path("steps").asText() + from));
  }

  private static void assertKind(ThrowingCallable call, Kind kind, String... messageParts) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(kind))
        .hasMessageContainingAll(messageParts);
  }

  @Test
  void defaultsKnowEveryOmsType() {
    EventRegistry registry = EventRegistry.ofDefaults();
    assertThat(registry.typeNames()).hasSize(11);
    assertThat(registry.types()).containsExactlyElementsOf(EventTypes.ALL);
    assertThat(registry.find("dev.oms.order.created")).contains(OrderCreated.TYPE);
    assertThat(registry.find("nope")).isEmpty();
    assertThat(registry.find(null)).isEmpty();
  }

  @Test
  void rejectsADuplicateTypeName() {
    EventRegistry.Builder builder = EventRegistry.builder()
        .register(OrderCreated.TYPE)
        .register(EventType.of("dev.oms.order.created", PaymentDeclined.class, 1));
    assertKind(builder::build, Kind.CONFIGURATION, "dev.oms.order.created", "twice");
  }

  @Test
  void rejectsOneJavaTypeUnderTwoNames() {
    EventRegistry.Builder builder = EventRegistry.builder().register(PaymentDeclined.TYPE).register(V3);
    assertKind(builder::build, Kind.CONFIGURATION, "PaymentDeclined", "two event type names");
  }

  @Test
  void rejectsAnUpcasterForAnUnknownType() {
    EventRegistry.Builder builder = EventRegistry.builder()
        .register(PaymentDeclined.TYPE)
        .upcaster(new OrderCreatedV1Upcaster());
    assertKind(builder::build, Kind.CONFIGURATION, "dev.oms.order.created", "not registered");
  }

  @Test
  void rejectsAGapInAChain() {
    EventRegistry.Builder builder = EventRegistry.builder().register(V3).upcaster(appending(1));
    assertKind(builder::build, Kind.CONFIGURATION, "gap", "version 2");
  }

  @Test
  void rejectsUpcastersThatCannotReachTheCurrentVersion() {
    assertKind(EventRegistry.builder().register(V3).upcaster(appending(3))::build,
        Kind.CONFIGURATION, "reads version 3");
    assertKind(EventRegistry.builder().register(V3).upcaster(appending(0))::build,
        Kind.CONFIGURATION, "reads version 0");
    assertKind(EventRegistry.builder().register(V3).upcaster(appending(2)).upcaster(appending(2))::build,
        Kind.CONFIGURATION, "two upcasters");
  }

  @Test
  void rejectsNulls() {
    assertKind(() -> EventRegistry.builder().register(null), Kind.CONFIGURATION, "event type");
    assertKind(() -> EventRegistry.builder().upcaster(null), Kind.CONFIGURATION, "upcaster");
  }

  @Test
  void appliesTheChainInVersionOrder() {
    EventRegistry registry = EventRegistry.builder().register(V3).upcaster(appending(2)).upcaster(appending(1)).build();
    ObjectNode data = JsonNodeFactory.instance.objectNode();

    assertThat(registry.upcastToCurrent(V3.name(), 1, data.deepCopy()).get("steps").asText()).isEqualTo("12");
    assertThat(registry.upcastToCurrent(V3.name(), 2, data.deepCopy()).get("steps").asText()).isEqualTo("2");
    assertThat(registry.upcastToCurrent(V3.name(), 3, data)).isSameAs(data);
  }

  @Test
  void reportsVersionsItCannotRead() {
    EventRegistry registry = EventRegistry.builder().register(V3).upcaster(appending(2)).build();
    ObjectNode data = JsonNodeFactory.instance.objectNode();

    assertKind(() -> registry.upcastToCurrent(V3.name(), 1, data),
        Kind.UNKNOWN_EVENT_TYPE, "no upcaster from version 1");
    assertKind(() -> registry.upcastToCurrent(V3.name(), 4, data), Kind.UNKNOWN_EVENT_TYPE, "version 4", "newer");
    assertKind(() -> registry.upcastToCurrent(V3.name(), 0, data), Kind.INVALID_EVENT, "start at 1");
    assertKind(() -> registry.upcastToCurrent("nope", 1, data), Kind.UNKNOWN_EVENT_TYPE, "'nope'");
  }

  @Test
  void turnsAFaultyUpcasterIntoAnInvalidEvent() {
    EventRegistry throwing = EventRegistry.builder().register(V3).upcaster(appending(2))
        .upcaster(step(V3.name(), 1, d -> {
          throw new IllegalStateException("boom");
        })).build();
    EventRegistry returningNull = EventRegistry.builder().register(V3).upcaster(appending(2))
        .upcaster(step(V3.name(), 1, d -> null)).build();
    ObjectNode data = JsonNodeFactory.instance.objectNode();

    assertKind(() -> throwing.upcastToCurrent(V3.name(), 1, data), Kind.INVALID_EVENT, "test.v3", "boom");
    assertKind(() -> returningNull.upcastToCurrent(V3.name(), 1, data), Kind.INVALID_EVENT, "produced no data");
  }
}
