package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.codec.EventCodec;
import dev.oms.event.EventMetadata;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderProcessed;
import dev.oms.event.OutOfStock;
import dev.oms.event.StockReserved;
import dev.oms.fixtures.SampleEvents;
import dev.oms.runtime.GroupRuntime;
import dev.oms.fixtures.DirectPort;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.Outcome;
import dev.oms.internal.Stages;
import dev.oms.memory.InMemoryDeadLetterStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The trace context and correlation id of the first event reach every later handler, and a handler
 * runs with the order id and correlation id in the logging MDC, which is clean again afterwards.
 */
class TraceAndMdcTest {
  private final EventBus bus = EventBus.builder().build();

  /** What a handler observed. */
  record Seen(OrderEvent event, String traceparent, String correlationId, String mdcOrderId,
      String mdcCorrelationId) {}

  @BeforeEach
  @AfterEach
  void cleanMdc() {
    MDC.clear();
  }

  private final List<AutoCloseable> toClose = new java.util.ArrayList<>();

  @AfterEach
  void closeBus() throws Exception {
    bus.close();
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closeAfter(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private static Seen observe(OrderEvent event, EventContext ctx) {
    return new Seen(event, ctx.traceparent(), ctx.correlationId(), MDC.get("orderId"), MDC.get("correlationId"));
  }

  @Test
  void traceparentAndCorrelationIdOfTheFirstEventReachAHandlerTwoHopsDownstream() {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    bus.subscribe(group("inventory", 2, fastPolicy(1)), EventHandlers.builder().on(OrderCreated.TYPE, (e, ctx) -> {
      seen.add(observe(e, ctx));
      ctx.publish(new StockReserved(EventMetadata.causedBy(e), e.lines()));
    }).build());
    bus.subscribe(group("payments", 2, fastPolicy(1)), EventHandlers.builder().on(StockReserved.TYPE, (e, ctx) -> {
      seen.add(observe(e, ctx));
      ctx.publish(new OrderProcessed(EventMetadata.causedBy(e), "pay-1", SampleEvents.orderCreated("x").total(),
          e.lines(), SampleEvents.address()));
    }).build());
    AtomicReference<Seen> last = new AtomicReference<>();
    bus.subscribe(group("shipping", 2, fastPolicy(1)),
        EventHandlers.builder().on(OrderProcessed.TYPE, (e, ctx) -> last.set(observe(e, ctx))).build());
    OrderCreated first = SampleEvents.orderCreated("o-trace");

    accepted(bus.publish(first));

    await().atMost(WAIT).until(() -> last.get() != null);
    Seen downstream = last.get();
    assertThat(downstream.traceparent()).isEqualTo(SampleEvents.TRACEPARENT).isEqualTo(first.metadata().traceparent());
    assertThat(downstream.correlationId()).isEqualTo(first.metadata().correlationId()).isEqualTo(first.eventId());
    EventMetadata m = downstream.event().metadata();
    assertThat(m.traceparent()).isEqualTo(SampleEvents.TRACEPARENT);
    assertThat(m.correlationId()).isEqualTo(first.eventId());
    assertThat(m.orderId()).isEqualTo("o-trace");
    assertThat(seen).hasSize(2);
    Seen middle = seen.stream().filter(s -> s.event() instanceof StockReserved).findFirst().orElseThrow();
    assertThat(middle.event().metadata().causationId()).isEqualTo(first.eventId());
    assertThat(m.causationId()).isEqualTo(middle.event().eventId());
  }

  @Test
  void everyHandlerRunsWithTheOrderIdAndCorrelationIdInTheMdc() {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    bus.subscribe(group("inventory", 2, fastPolicy(1)), EventHandlers.builder().on(OrderCreated.TYPE, (e, ctx) -> {
      seen.add(observe(e, ctx));
      ctx.publish(new StockReserved(EventMetadata.causedBy(e), e.lines()));
    }).build());
    bus.subscribe(group("payments", 2, fastPolicy(1)),
        EventHandlers.builder().on(StockReserved.TYPE, (e, ctx) -> seen.add(observe(e, ctx))).build());
    OrderCreated first = SampleEvents.orderCreated("o-mdc");

    accepted(bus.publish(first));

    await().atMost(WAIT).until(() -> seen.size() == 2);
    assertThat(seen).allSatisfy(s -> {
      assertThat(s.mdcOrderId()).isEqualTo("o-mdc");
      assertThat(s.mdcCorrelationId()).isEqualTo(first.eventId());
    });
  }

  @Test
  void aRetriedHandlerSeesTheSameMdcOnEveryAttempt() {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    bus.subscribe(group("flaky", 1, fastPolicy(3)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      seen.add(observe(e, ctx));
      if (ctx.attempt() < 3) {
        throw new IllegalStateException("flaky");
      }
    }).build());
    OutOfStock event = seqEvent("o-retry", 1);

    accepted(bus.publish(event));

    await().atMost(WAIT).until(() -> bus.metrics("flaky").handled() == 1);
    assertThat(seen).hasSize(3).allSatisfy(s -> {
      assertThat(s.mdcOrderId()).isEqualTo("o-retry");
      assertThat(s.mdcCorrelationId()).isEqualTo(event.metadata().correlationId());
    });
  }

  // ---- the delivering thread's MDC, observed on the test thread through the runtime itself ----

  @Test
  void theMdcIsCleanOnTheDeliveringThreadAfterAHandlerSucceedsOrFails() throws Exception {
    DirectPort port = new DirectPort(new InMemoryDeadLetterStore());
    closeAfter(port);
    AtomicBoolean fail = new AtomicBoolean();
    AtomicReference<String> inside = new AtomicReference<>();
    GroupRuntime runtime = new GroupRuntime(group("direct", 1, fastPolicy(2)),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
          inside.set(MDC.get("orderId"));
          if (fail.get()) {
            throw new IllegalStateException("fails");
          }
        }).build(),
        port);

    runtime.deliver(BrokerRecord.ofEvent(seqEvent("o-1", 1)), DeliveryInfo.FIRST); // settles on this thread
    assertThat(inside.get()).isEqualTo("o-1");
    assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();

    fail.set(true);
    Outcome outcome = runtime.deliver(BrokerRecord.ofEvent(seqEvent("o-2", 1)), DeliveryInfo.FIRST)
        .toCompletableFuture().get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    assertThat(outcome).isEqualTo(Outcome.DEAD_LETTERED);
    assertThat(inside.get()).isEqualTo("o-2");
    assertThat(runtime.metrics().deadLettered()).isEqualTo(1);
    assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
  }

  @Test
  void unrelatedMdcEntriesOfTheDeliveringThreadAreLeftAlone() throws Exception {
    GroupRuntime runtime = new GroupRuntime(group("direct", 1, fastPolicy(1)),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> { }).build(),
        closeAfter(new DirectPort(new InMemoryDeadLetterStore())));
    MDC.put("requestId", "req-7");

    runtime.deliver(BrokerRecord.ofEvent(seqEvent("o-1", 1)), DeliveryInfo.FIRST);

    assertThat(MDC.get("requestId")).isEqualTo("req-7");
    assertThat(MDC.get("orderId")).isNull();
  }

  @Test
  void redriveRestoresTheCallersOwnMdcValues() {
    AtomicBoolean broken = new AtomicBoolean(true);
    bus.subscribe(group("ops", 1, fastPolicy(1)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      if (broken.get()) {
        throw new IllegalStateException("down");
      }
    }).build());
    accepted(bus.publish(seqEvent("o-1", 1)));
    await().atMost(WAIT).until(() -> bus.deadLetters().failures("ops").size() == 1);
    broken.set(false);
    Map<String, String> callersMdc = new HashMap<>(Map.of("orderId", "o-admin-view", "correlationId", "http-req-1"));
    MDC.setContextMap(callersMdc);

    bus.deadLetters().redrive(bus.deadLetters().failures("ops").get(0).id());

    assertThat(MDC.getCopyOfContextMap()).isEqualTo(callersMdc);
  }
}
