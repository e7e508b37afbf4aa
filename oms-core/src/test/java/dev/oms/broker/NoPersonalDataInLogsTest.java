package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.codec.EventCodec;
import dev.oms.event.EventMetadata;
import dev.oms.event.Money;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderLine;
import dev.oms.fixtures.Orders;
import dev.oms.service.PlaceOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Whatever goes wrong with an order, the logs never carry the customer's email, address or payment token. */
class NoPersonalDataInLogsTest {
  private static final String GROUP = "payments";

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private Level rootLevel;
  private final EventBus bus = EventBus.builder().build();
  private final PlaceOrder request = Orders.order("o-pii", "SKU-1", 2);
  private final String token = request.payment().token();

  @BeforeEach
  void captureEveryLogLine() {
    rootLevel = root.getLevel();
    root.setLevel(Level.TRACE);
    appender.start();
    root.addAppender(appender);
  }

  @AfterEach
  void restoreLogging() {
    bus.close();
    root.detachAppender(appender);
    appender.stop();
    root.setLevel(rootLevel);
  }

  private OrderCreated orderCreated() {
    Money total = request.lines().stream().map(OrderLine::lineTotal).reduce(Money::plus).orElseThrow();
    return new OrderCreated(EventMetadata.first(request.orderId(), null), request.customer(), request.lines(), total,
        request.payment());
  }

  /** Every text a log line exposes: its formatted message, its MDC values, its exceptions' messages. */
  private List<String> loggedTexts() {
    List<String> texts = new ArrayList<>();
    for (ILoggingEvent event : List.copyOf(appender.list)) {
      texts.add(event.getFormattedMessage());
      texts.addAll(event.getMDCPropertyMap().values());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        texts.add(t.getClassName() + ": " + t.getMessage());
      }
    }
    return texts;
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private void assertNoPersonalDataLogged() {
    List<String> texts = loggedTexts();
    assertThat(texts).as("log lines captured").isNotEmpty();
    assertThat(texts).allSatisfy(text -> assertThat(text)
        .doesNotContain(Orders.EMAIL)
        .doesNotContain(Orders.STREET)
        .doesNotContain(token));
  }

  @Test
  void anOrderWhoseHandlerAlwaysFailsUntilDeadLetteredLogsNoPersonalData() {
    assertThat(request.customer().email()).isEqualTo(Orders.EMAIL);
    assertThat(request.customer().shippingAddress().line1()).isEqualTo(Orders.STREET);
    bus.subscribe(group(GROUP, 1, fastPolicy(3)), EventHandlers.builder().on(OrderCreated.TYPE, (e, ctx) -> {
      // a careless handler that puts the whole event into its exception message
      throw new IllegalStateException("charge failed for " + e + " customer " + e.customer());
    }).build());
    OrderCreated order = orderCreated();
    OrderCreated sameOrderLater = orderCreated();

    accepted(bus.publish(order));
    await().atMost(WAIT).until(() -> bus.deadLetters().failures(GROUP).size() == 1);
    accepted(bus.publish(sameOrderLater));
    await().atMost(WAIT).until(() -> bus.deadLetters().list(GROUP).size() == 2);
    DeadLetter head = bus.deadLetters().failures(GROUP).get(0);
    bus.deadLetters().redrive(head.id()); // fails again: more warnings
    bus.deadLetters().discard(head.id()); // releases the parked one, which fails in turn
    assertThat(bus.close(WAIT)).isTrue();

    assertThat(appender.list).anyMatch(e -> e.getLevel() == Level.WARN)
        .anyMatch(e -> e.getLevel() == Level.ERROR);
    // the dead letter keeps the full event for the operator; only logs must stay clean
    assertThat(bus.deadLetters().event(bus.deadLetters().failures(GROUP).get(0))).isInstanceOf(OrderCreated.class);
    assertNoPersonalDataLogged();
  }

  @Test
  void refusedIncomingOrdersLogNoPersonalData() {
    bus.subscribe(group(GROUP, 1, fastPolicy(1)), EventHandlers.builder().on(OrderCreated.TYPE, (e, ctx) -> { })
        .build());
    String json = new String(EventCodec.ofDefaults().encode(orderCreated()), StandardCharsets.UTF_8);
    assertThat(json).contains(Orders.EMAIL, Orders.STREET, token);

    refusal(bus.publishEncoded(json.replace("\"USD\"", "\"usd\"").getBytes(StandardCharsets.UTF_8)));
    refusal(bus.publishEncoded(bytes(json.replace("\"quantity\":2", "\"quantity\":\"two\""))));
    refusal(bus.publishEncoded(bytes(json.replace("\"email\":\"" + Orders.EMAIL + "\"",
        "\"email\":[\"" + Orders.EMAIL + "\"]"))));
    refusal(bus.publishEncoded(json.replace("\"line1\":\"" + Orders.STREET + "\"", "\"line1\":{\"v\":\""
        + Orders.STREET + "\"}").getBytes(StandardCharsets.UTF_8)));
    refusal(bus.publishEncoded(json.substring(0, json.indexOf(Orders.STREET) + 5).getBytes(StandardCharsets.UTF_8)));

    assertThat(bus.deadLetters().list(EventBus.INGRESS_GROUP)).hasSize(5);
    assertNoPersonalDataLogged();
  }

  @Test
  void aMalformedBodyWithAnUnquotedPaymentTokenDoesNotLogTheToken() {
    String json = new String(EventCodec.ofDefaults().encode(orderCreated()), StandardCharsets.UTF_8);

    refusal(bus.publishEncoded(json.replace("\"" + token + "\"", token).getBytes(StandardCharsets.UTF_8)));

    assertNoPersonalDataLogged();
  }
}
