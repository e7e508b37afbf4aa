package dev.oms.codec;

import static dev.oms.codec.CodecJson.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oms.codec.EventCodec.Attributes;
import dev.oms.event.OrderEvent;
import dev.oms.fixtures.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** peekAttributes labels dead letters: whatever it can read, and never an exception. */
class PeekAttributesTest {
  private final EventCodec codec = EventCodec.ofDefaults();

  @Test
  void readsAValidEvent() {
    OrderEvent event = SampleEvents.orderCreated("order-peek-1");
    assertThat(codec.peekAttributes(codec.encode(event)))
        .isEqualTo(new Attributes(event.eventId(), "dev.oms.order.created", "order-peek-1"));
  }

  @Test
  void readsAnEventThatDoesNotDecode() {
    String json = "{\"specversion\":\"0.1\",\"id\":\"e-9\",\"data\":{\"x\":[1,{\"y\":2}]},"
        + "\"type\":\"nope\",\"subject\":\"o-9\"}";
    assertThat(codec.peekAttributes(utf8(json))).isEqualTo(new Attributes("e-9", "nope", "o-9"));
  }

  @Test
  void keepsWhatCameBeforeTheDamage() {
    byte[] whole = codec.encode(SampleEvents.orderCreated("order-peek-2"));
    String text = new String(whole, StandardCharsets.UTF_8);
    byte[] cut = Arrays.copyOf(whole, text.indexOf("\"subject\"") + 12);

    Attributes peeked = codec.peekAttributes(cut);

    assertThat(peeked.id()).isNotNull();
    assertThat(peeked.type()).isEqualTo("dev.oms.order.created");
    assertThat(peeked.subject()).isNull();
  }

  @Test
  void leavesOutAttributesOfTheWrongType() {
    assertThat(codec.peekAttributes(utf8("{\"id\":7,\"type\":null,\"subject\":[\"o\"]}")))
        .isEqualTo(new Attributes(null, null, null));
  }

  @Test
  void garbageGivesNulls() {
    Attributes none = new Attributes(null, null, null);
    assertThat(codec.peekAttributes(null)).isEqualTo(none);
    assertThat(codec.peekAttributes(new byte[0])).isEqualTo(none);
    assertThat(codec.peekAttributes(utf8("[\"id\",\"x\"]"))).isEqualTo(none);
    assertThat(codec.peekAttributes(utf8("}{"))).isEqualTo(none);
    byte[] noise = new byte[4096];
    new Random(42).nextBytes(noise);
    assertThat(codec.peekAttributes(noise)).isEqualTo(none);
  }
}
