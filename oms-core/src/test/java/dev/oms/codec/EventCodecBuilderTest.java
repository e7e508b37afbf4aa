package dev.oms.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.event.OrderCreated;
import dev.oms.fixtures.SampleEvents;
import org.junit.jupiter.api.Test;

class EventCodecBuilderTest {

  @Test
  void defaults() {
    EventCodec codec = EventCodec.ofDefaults();
    assertThat(codec.maxEventBytes()).isEqualTo(262_144);
    assertThat(codec.source()).isEqualTo("/oms");
    assertThat(codec.registry().typeNames()).hasSize(11);
    assertThat(EventCodec.ofDefaults()).isSameAs(codec);
  }

  @Test
  void rejectsBadOptions() {
    assertThatThrownBy(() -> EventCodec.builder().maxEventBytes(0))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
        .hasMessageContaining("maxEventBytes");
    assertThatThrownBy(() -> EventCodec.builder().source(" "))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION));
    assertThatThrownBy(() -> EventCodec.builder().registry(null))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION));
  }

  @Test
  void encodesOnlyRegisteredTypes() {
    EventCodec ordersOnly = EventCodec.builder()
        .registry(EventRegistry.builder().register(OrderCreated.TYPE).build())
        .build();

    assertThat(ordersOnly.encode(SampleEvents.orderCreated("o-1"))).isNotEmpty();
    assertThatThrownBy(() -> ordersOnly.encode(SampleEvents.paymentDeclined("o-1")))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_EVENT_TYPE))
        .hasMessageContaining("dev.oms.payment.declined");
    byte[] declined = EventCodec.ofDefaults().encode(SampleEvents.paymentDeclined("o-1"));
    assertThatThrownBy(() -> ordersOnly.decode(declined))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_EVENT_TYPE));
  }

  @Test
  void encodeOfNullIsAnInvalidEvent() {
    assertThatThrownBy(() -> EventCodec.ofDefaults().encode(null))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_EVENT));
  }
}
