package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.refusal;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.codec.EventCodec;
import dev.oms.event.Money;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderLine;
import dev.oms.event.OutOfStock;
import dev.oms.fixtures.SampleEvents;
import dev.oms.memory.InMemoryBroker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bytes that cannot become an event never crash a consumer and are never lost: at ingress they are
 * refused and kept as dead letters of {@value EventBus#INGRESS_GROUP}; arriving through a broker
 * they become dead letters of the receiving group, which keeps handling what follows.
 */
class MalformedAndOversizedTest {
  private static final int LIMIT = 2048;
  private static final String GROUP = "stock";
  private static final byte[] GARBAGE = "\u0000\u00ff not json at all {{{".getBytes(StandardCharsets.ISO_8859_1);

  private final InMemoryBroker broker = InMemoryBroker.ofDefaults();
  private final List<DeadLetter> toldDeadLettered = new CopyOnWriteArrayList<>();
  private final EventBus bus = EventBus.builder()
      .broker(broker)
      .codec(EventCodec.builder().maxEventBytes(LIMIT).build())
      .listener(new DeliveryListener() {
        @Override
        public void onDeadLettered(DeadLetter deadLetter) {
          toldDeadLettered.add(deadLetter);
        }
      })
      .build();
  private final List<OrderEvent> handled = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeBus() {
    bus.close();
  }

  private void subscribe() {
    bus.subscribe(group(GROUP, 2, fastPolicy(2)), EventHandlers.builder()
        .on(OutOfStock.TYPE, (e, ctx) -> handled.add(e))
        .on(OrderCreated.TYPE, (e, ctx) -> handled.add(e))
        .build());
  }

  /** An order with enough lines to encode far beyond {@link #LIMIT} bytes. */
  private static OrderCreated bloatedOrder(String orderId) {
    List<OrderLine> lines = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      lines.add(SampleEvents.line("SKU-BULK-" + i, 1, 100));
    }
    return new OrderCreated(SampleEvents.metadata(orderId), SampleEvents.customer(), lines,
        Money.of(6_000, "USD"), SampleEvents.payment());
  }

  private static byte[] encode(OrderEvent event) {
    return EventCodec.ofDefaults().encode(event);
  }

  private DeadLetter onlyIngressDeadLetter() {
    List<DeadLetter> ingress = bus.deadLetters().list(EventBus.INGRESS_GROUP);
    assertThat(ingress).hasSize(1);
    return ingress.get(0);
  }

  // ---- ingress: EventBus.publishEncoded ----

  @Test
  void garbageBytesAreRefusedAsMalformedAndKeptAsAnIngressDeadLetter() {
    subscribe();

    OmsException refused = refusal(bus.publishEncoded(GARBAGE));

    assertThat(refused.kind()).isEqualTo(Kind.MALFORMED_EVENT);
    DeadLetter dl = onlyIngressDeadLetter();
    assertThat(refused.getMessage()).contains(dl.id());
    assertThat(dl.reason()).startsWith("MALFORMED_EVENT").contains("JSON");
    assertThat(dl.body()).isEqualTo(GARBAGE);
    assertThat(dl.attempts()).isZero();
    assertThat(dl.isFailure()).isTrue();
    assertThat(toldDeadLettered).extracting(DeadLetter::id).containsExactly(dl.id());
    assertThat(handled).isEmpty();
  }

  @Test
  void anEventOverTheCodecLimitIsRefusedAsOversizedAndLabelledWithItsAttributes() {
    subscribe();
    OrderCreated big = bloatedOrder("o-big");
    byte[] bytes = encode(big);
    assertThat(bytes.length).isGreaterThan(LIMIT);

    OmsException refused = refusal(bus.publishEncoded(bytes));

    assertThat(refused.kind()).isEqualTo(Kind.OVERSIZED_EVENT);
    DeadLetter dl = onlyIngressDeadLetter();
    assertThat(dl.reason()).startsWith("OVERSIZED_EVENT").contains(String.valueOf(LIMIT));
    assertThat(dl.key()).isEqualTo("o-big");
    assertThat(dl.eventId()).isEqualTo(big.eventId());
    assertThat(dl.type()).isEqualTo(OrderCreated.TYPE.name());
    assertThat(dl.body()).isEqualTo(bytes);
    assertThat(handled).isEmpty();
  }

  @Test
  void rawBytesOverTheLimitAreRefusedAsOversizedBeforeBeingParsed() {
    byte[] bytes = new byte[LIMIT + 1];
    Arrays.fill(bytes, (byte) '{');

    OmsException refused = refusal(bus.publishEncoded(bytes));

    assertThat(refused.kind()).isEqualTo(Kind.OVERSIZED_EVENT);
    assertThat(onlyIngressDeadLetter().reason()).startsWith("OVERSIZED_EVENT");
  }

  @Test
  void anUnknownEventTypeIsRefusedAndKeptAsAnIngressDeadLetter() {
    subscribe();
    OutOfStock event = seqEvent("o-1", 1);
    String json = new String(encode(event), StandardCharsets.UTF_8)
        .replace(OutOfStock.TYPE.name(), "dev.oms.something.unheard-of");

    OmsException refused = refusal(bus.publishEncoded(json.getBytes(StandardCharsets.UTF_8)));

    assertThat(refused.kind()).isEqualTo(Kind.UNKNOWN_EVENT_TYPE);
    DeadLetter dl = onlyIngressDeadLetter();
    assertThat(dl.reason()).startsWith("UNKNOWN_EVENT_TYPE").contains("dev.oms.something.unheard-of");
    assertThat(dl.type()).isEqualTo("dev.oms.something.unheard-of");
    assertThat(dl.eventId()).isEqualTo(event.eventId());
    assertThat(dl.key()).isEqualTo("o-1");
  }

  @Test
  void aValidEncodedEventIsPublishedAndHandled() {
    subscribe();
    OutOfStock event = seqEvent("o-1", 7);

    accepted(bus.publishEncoded(encode(event)));

    await().atMost(WAIT).until(() -> handled.size() == 1);
    assertThat(handled.get(0)).isEqualTo(event);
    assertThat(bus.deadLetters().list()).isEmpty();
  }

  @Test
  void anIngressDeadLetterCanBeDiscarded() {
    refusal(bus.publishEncoded(GARBAGE));
    DeadLetter dl = onlyIngressDeadLetter();

    RedriveResult result = bus.deadLetters().discard(dl.id());

    assertThat(result.handled()).isFalse();
    assertThat(bus.deadLetters().list()).isEmpty();
  }

  @Test
  void redrivingAMalformedIngressDeadLetterFailsAgainAndKeepsIt() {
    refusal(bus.publishEncoded(GARBAGE));
    DeadLetter dl = onlyIngressDeadLetter();

    assertThatThrownBy(() -> bus.deadLetters().redrive(dl.id()))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED_EVENT));
    assertThat(bus.deadLetters().get(dl.id())).isPresent();
  }

  // ---- through the broker SPI: bytes records ----

  @Test
  void aGarbageBytesRecordFromTheBrokerIsDeadLetteredByTheGroupWhichKeepsHandling() {
    subscribe();

    accepted(broker.send(BrokerRecord.ofBytes(OutOfStock.TYPE.name(), "o-bad", Map.of("source", "bridge"), GARBAGE)));

    await().atMost(WAIT).until(() -> bus.deadLetters().failures(GROUP).size() == 1);
    DeadLetter dl = bus.deadLetters().failures(GROUP).get(0);
    assertThat(dl.reason()).startsWith("MALFORMED_EVENT");
    assertThat(dl.key()).isEqualTo("o-bad");
    assertThat(dl.type()).isEqualTo(OutOfStock.TYPE.name());
    assertThat(dl.headers()).containsEntry("source", "bridge");
    assertThat(dl.body()).isEqualTo(GARBAGE);
    assertThat(dl.attempts()).isZero();
    assertThat(bus.metrics(GROUP).deadLettered()).isEqualTo(1);

    OutOfStock later = seqEvent("o-good", 1);
    accepted(broker.send(BrokerRecord.ofBytes(OutOfStock.TYPE.name(), "o-good", Map.of(), encode(later))));
    await().atMost(WAIT).until(() -> handled.size() == 1);
    assertThat(handled).containsExactly(later);
  }

  @Test
  void aValidRecordOfTheSameKeyWaitsBehindTheMalformedOneUntilItIsDiscarded() {
    subscribe();
    accepted(broker.send(BrokerRecord.ofBytes(OutOfStock.TYPE.name(), "o-1", Map.of(), GARBAGE)));
    await().atMost(WAIT).until(() -> bus.deadLetters().failures(GROUP).size() == 1);
    OutOfStock next = seqEvent("o-1", 2);

    accepted(broker.send(BrokerRecord.ofBytes(OutOfStock.TYPE.name(), "o-1", Map.of(), encode(next))));
    await().atMost(WAIT).until(() -> bus.deadLetters().list(GROUP).size() == 2);
    assertThat(handled).isEmpty();

    RedriveResult result = bus.deadLetters().discard(bus.deadLetters().failures(GROUP).get(0).id());

    assertThat(result.released()).isEqualTo(1);
    assertThat(handled).containsExactly(next);
  }

  @Test
  void anOversizedBytesRecordFromTheBrokerIsDeadLetteredAsOversized() {
    subscribe();
    OrderCreated big = bloatedOrder("o-big");

    accepted(broker.send(BrokerRecord.ofBytes(OrderCreated.TYPE.name(), "o-big", Map.of(), encode(big))));

    await().atMost(WAIT).until(() -> bus.deadLetters().failures(GROUP).size() == 1);
    DeadLetter dl = bus.deadLetters().failures(GROUP).get(0);
    assertThat(dl.reason()).startsWith("OVERSIZED_EVENT");
    assertThat(dl.eventId()).isEqualTo(big.eventId());
    assertThat(handled).isEmpty();
  }

  @Test
  void aWellFormedBytesRecordIsDecodedAndHandled() {
    subscribe();
    OutOfStock event = seqEvent("o-1", 3);

    accepted(broker.send(BrokerRecord.ofBytes(OutOfStock.TYPE.name(), "o-1", Map.of(), encode(event))));

    await().atMost(WAIT).until(() -> handled.size() == 1);
    assertThat(handled.get(0)).isInstanceOf(OutOfStock.class).isEqualTo(event);
    assertThat(bus.metrics(GROUP).handled()).isEqualTo(1);
  }

  @Test
  void aWellFormedBytesRecordWithoutAKeyIsHandled() {
    subscribe();
    OutOfStock event = seqEvent("o-1", 3);

    accepted(broker.send(BrokerRecord.ofBytes(OutOfStock.TYPE.name(), null, null, encode(event))));

    await().atMost(WAIT).until(() -> handled.size() == 1);
    assertThat(handled).containsExactly(event);
  }

  @Test
  void aBytesRecordWhoseTypeTheGroupHasNoHandlerForIsDeadLettered() {
    bus.subscribe(group(GROUP, 1, fastPolicy(1)),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> handled.add(e)).build());
    OrderCreated event = SampleEvents.orderCreated("o-1");

    // the transport says "out-of-stock", the body is an order.created
    accepted(broker.send(BrokerRecord.ofBytes(OutOfStock.TYPE.name(), "o-1", Map.of(), encode(event))));

    await().atMost(WAIT).until(() -> bus.deadLetters().failures(GROUP).size() == 1);
    DeadLetter dl = bus.deadLetters().failures(GROUP).get(0);
    assertThat(dl.reason()).contains("no handler").contains(OrderCreated.TYPE.name());
    assertThat(dl.eventId()).isEqualTo(event.eventId());
    assertThat(handled).isEmpty();
  }

  @Test
  void sendingABytesRecordWithoutATypeFailsTheStageInsteadOfThrowing() {
    subscribe();
    OutOfStock event = seqEvent("o-1", 3);

    BrokerRecord typeless = BrokerRecord.ofBytes(null, "o-1", Map.of(), encode(event));

    assertThatCode(() -> broker.send(typeless)).doesNotThrowAnyException();
    assertThat(refusal(broker.send(typeless))).isInstanceOf(OmsException.class);
    assertThat(handled).isEmpty();
  }

  @Test
  void theStoredEventOfAGroupDeadLetterIsReadableEvenOverTheCodecLimit() {
    OrderCreated big = bloatedOrder("o-big");
    bus.subscribe(group(GROUP, 1, fastPolicy(1)), EventHandlers.builder().on(OrderCreated.TYPE, (e, ctx) -> {
      throw new IllegalStateException("refused");
    }).build());

    accepted(bus.publish(big)); // in-process: travels as an object, no codec limit on the way

    await().atMost(WAIT).until(() -> bus.deadLetters().failures(GROUP).size() == 1);
    DeadLetter dl = bus.deadLetters().failures(GROUP).get(0);
    assertThat(dl.body().length).isGreaterThan(LIMIT);
    assertThat(bus.deadLetters().event(dl)).isEqualTo(big);
  }

  // ---- through the broker SPI: binary-mode records (attributes as headers, data alone) ----

  @Test
  void aBinaryModeRecordIsDecodedAndHandled() {
    subscribe();
    OutOfStock event = seqEvent("o-bin", 1);
    EventCodec.BinaryEvent binary = bus.codec().encodeBinary(event);

    accepted(broker.send(BrokerRecord.ofBinary("o-bin", binary.attributes(), binary.data())));

    await().atMost(WAIT).until(() -> handled.size() == 1);
    assertThat(handled).containsExactly(event);
  }

  @Test
  void aBinaryModeRecordWithBrokenDataIsDeadLetteredWithItsAttributesAndTheOrderWaitsBehindIt() {
    subscribe();
    OutOfStock broken = seqEvent("o-bin", 1);
    Map<String, String> attributes = bus.codec().encodeBinary(broken).attributes();
    accepted(broker.send(BrokerRecord.ofBinary("o-bin", attributes, GARBAGE)));
    await().atMost(WAIT).until(() -> bus.deadLetters().failures(GROUP).size() == 1);
    DeadLetter dl = bus.deadLetters().failures(GROUP).get(0);
    assertThat(dl.reason()).startsWith("MALFORMED_EVENT");
    assertThat(dl.eventId()).isEqualTo(broken.eventId());
    assertThat(dl.type()).isEqualTo(OutOfStock.TYPE.name());

    OutOfStock next = seqEvent("o-bin", 2);
    EventCodec.BinaryEvent nextBinary = bus.codec().encodeBinary(next);
    accepted(broker.send(BrokerRecord.ofBinary("o-bin", nextBinary.attributes(), nextBinary.data())));
    await().atMost(WAIT).until(() -> bus.deadLetters().list(GROUP).size() == 2);
    assertThat(handled).isEmpty();

    // The parked binary record was kept as structured JSON, so releasing it decodes it.
    RedriveResult result = bus.deadLetters().discard(dl.id());
    assertThat(result.released()).isEqualTo(1);
    assertThat(handled).containsExactly(next);
  }
}
