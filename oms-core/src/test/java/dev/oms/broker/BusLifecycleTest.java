package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.oms.event.OutOfStock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BusLifecycleTest {

  @Test
  void closingTwiceReportsWhetherTheFirstCloseDrained() {
    EventBus bus = EventBus.builder().build();
    Subscription sub = bus.subscribe(group("g", 1, fastPolicy(1)),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> { }).build());
    sub.pause();
    accepted(bus.publish(seqEvent("o-1", 1)));

    assertThat(bus.close(Duration.ofMillis(50))).as("a paused group kept an event").isFalse();
    assertThat(bus.close(Duration.ofMillis(50))).isFalse();
  }

  @Test
  void retryAndDeadLetterLogLinesCarryTheOrderAndCorrelationIds() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.oms.runtime.GroupRuntime");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
    try (EventBus bus = EventBus.builder().build()) {
      bus.subscribe(group("g", 1, fastPolicy(2)), EventHandlers.builder()
          .on(OutOfStock.TYPE, (e, ctx) -> {
            throw new IllegalStateException("down");
          }).build());
      OutOfStock event = seqEvent("o-log", 1);
      accepted(bus.publish(event));
      await().atMost(WAIT).until(() -> bus.deadLetters().failures("g").size() == 1);

      assertThat(appender.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).hasSizeGreaterThanOrEqualTo(2)
          .allSatisfy(e -> {
            assertThat(e.getMDCPropertyMap()).containsEntry("orderId", "o-log");
            assertThat(e.getMDCPropertyMap()).containsEntry("correlationId", event.metadata().correlationId());
          });
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(null);
    }
  }
}
