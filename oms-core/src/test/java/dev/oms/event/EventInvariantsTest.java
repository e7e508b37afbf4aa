package dev.oms.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.fixtures.SampleEvents;
import org.junit.jupiter.api.Test;

class EventInvariantsTest {

  @Test
  void moneyIsMinorUnitsWithAnIsoCurrency() {
    assertThat(Money.of(150, "USD").plus(Money.of(50, "USD"))).isEqualTo(Money.of(200, "USD"));
    assertThat(Money.of(150, "USD").times(3)).isEqualTo(Money.of(450, "USD"));
    assertThatThrownBy(() -> Money.of(-1, "USD")).isInstanceOf(OmsException.class).hasMessageContaining("negative");
    assertThatThrownBy(() -> Money.of(1, "usd")).isInstanceOf(OmsException.class).hasMessageContaining("ISO 4217");
    assertThatThrownBy(() -> Money.of(1, "USD").plus(Money.of(1, "EUR"))).hasMessageContaining("EUR");
    assertThatThrownBy(() -> Money.of(Long.MAX_VALUE, "USD").times(2)).isInstanceOf(ArithmeticException.class);
  }

  @Test
  void personalDataNeverShowsInToString() {
    OrderCreated order = SampleEvents.orderCreated("o-1");
    String printed = order.toString();
    assertThat(printed).doesNotContain(order.customer().email())
        .doesNotContain(order.customer().shippingAddress().line1())
        .doesNotContain(order.payment().token());
  }

  @Test
  void everyEventCarriesItsTypeVersionAndOrderKey() {
    for (OrderEvent event : SampleEvents.all("o-9")) {
      assertThat(event.orderId()).isEqualTo("o-9");
      assertThat(event.eventId()).isNotBlank();
      assertThat(event.schemaVersion()).isEqualTo(event.type().version());
      assertThat(EventTypes.ALL).contains(event.type());
      assertThat(event.type().javaType()).isEqualTo(event.getClass());
    }
    assertThat(OrderCreated.TYPE.version()).isEqualTo(2);
    assertThat(OrderCreated.TYPE.toString()).isEqualTo("dev.oms.order.created/v2");
  }

  @Test
  void followOnEventsKeepCorrelationAndTraceAndPointAtTheirCause() {
    OrderCreated first = new OrderCreated(EventMetadata.first("o-2", null), SampleEvents.customer(),
        SampleEvents.lines(), Money.of(1, "USD"), SampleEvents.payment());
    EventMetadata next = EventMetadata.causedBy(first);
    assertThat(first.metadata().correlationId()).isEqualTo(first.eventId());
    assertThat(next.correlationId()).isEqualTo(first.metadata().correlationId());
    assertThat(next.causationId()).isEqualTo(first.eventId());
    assertThat(next.traceparent()).isEqualTo(first.metadata().traceparent());
    assertThat(next.eventId()).isNotEqualTo(first.eventId());
    assertThat(EventIds.isTraceparent(first.metadata().traceparent())).isTrue();
  }

  @Test
  void traceparentValidationFollowsW3c() {
    assertThat(EventIds.isTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isTrue();
    assertThat(EventIds.isTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isFalse();
    assertThat(EventIds.isTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).isFalse();
    assertThat(EventIds.isTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).isFalse();
    assertThat(EventIds.isTraceparent(null)).isFalse();
    for (int i = 0; i < 100; i++) {
      assertThat(EventIds.isTraceparent(EventIds.newTraceparent())).isTrue();
    }
  }

  @Test
  void recordsRefuseMissingOrInvalidFields() {
    assertThatThrownBy(() -> new OrderLine("SKU", 0, Money.of(1, "USD"))).hasMessageContaining("quantity");
    assertThatThrownBy(() -> new Customer("c", "no-at-sign", SampleEvents.address())).hasMessageContaining("@");
    assertThatThrownBy(() -> new StockReserved(SampleEvents.metadata("o"), java.util.List.of()))
        .hasMessageContaining("at least one line");
    assertThatThrownBy(() -> new EventMetadata("id", " ", java.time.Instant.now(), "c", "c", "t"))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.INVALID_EVENT))
        .hasMessageContaining("orderId");
    assertThat(new OrderCancelled(SampleEvents.metadata("o"), CancellationReason.OUT_OF_STOCK, null).detail())
        .isEmpty();
  }

  @Test
  void derivedIdsAreStablePerCauseGroupAndOrdinalAndDistinctOtherwise() {
    String cause = EventIds.newEventId();
    assertThat(EventIds.derivedEventId(cause, "order", 0)).isEqualTo(EventIds.derivedEventId(cause, "order", 0));
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      ids.add(EventIds.derivedEventId(cause, "order", i));
      ids.add(EventIds.derivedEventId(cause, "inventory", i));
    }
    ids.add(EventIds.derivedEventId(EventIds.newEventId(), "order", 0));
    assertThat(ids).hasSize(2_001);
    assertThat(java.util.UUID.fromString(EventIds.derivedEventId(cause, "g", 3)).version()).isEqualTo(8);
  }
}
