package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.Outcome;
import dev.oms.event.OutOfStock;
import dev.oms.fixtures.ControlledBroker;
import dev.oms.fixtures.DirectPort;
import dev.oms.memory.InMemoryDeadLetterStore;
import dev.oms.runtime.GroupRuntime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The broker's delivery count and deadline, and the opt-in that leaves failures to the broker. */
class FailureHandlingTest {
  private final InMemoryDeadLetterStore store = new InMemoryDeadLetterStore();
  private final DirectPort port = new DirectPort(store);
  private final List<Integer> attempts = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    port.close();
  }

  private GroupRuntime failing(DeliveryPolicy policy) {
    return new GroupRuntime(group("g", 1, policy), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      attempts.add(ctx.attempt());
      throw new IllegalStateException("always fails");
    }).build(), port);
  }

  private static Outcome outcome(java.util.concurrent.CompletionStage<Outcome> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void aRecordTheBrokerRedeliveredStartsAtTheAttemptItsDeliveryCountSays() throws Exception {
    GroupRuntime runtime = failing(fastPolicy(3));

    Outcome outcome = outcome(runtime.deliver(BrokerRecord.ofEvent(seqEvent("o-1", 1)), DeliveryInfo.delivery(3)));

    assertThat(outcome).isEqualTo(Outcome.DEAD_LETTERED);
    assertThat(attempts).as("the broker delivered it twice before (a consumer crashed each time)").containsExactly(3);
    assertThat(store.list("g")).singleElement().satisfies(dl -> assertThat(dl.attempts()).isEqualTo(3));
  }

  @Test
  void aRetryThatWouldEndPastTheDeadlineIsLeftToTheBrokerInsteadOfWaitedFor() throws Exception {
    DeliveryPolicy slowRetry = DeliveryPolicy.builder().maxAttempts(5)
        .backoff(Duration.ofSeconds(2), Duration.ofSeconds(2), 1.0).jitter(0).build();
    GroupRuntime runtime = failing(slowRetry);
    long start = System.nanoTime();

    Outcome outcome = outcome(runtime.deliver(BrokerRecord.ofEvent(seqEvent("o-1", 1)),
        DeliveryInfo.FIRST.withDeadline(Instant.now().plusMillis(500))));

    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY_LATER);
    assertThat(outcome.cause()).hasMessageContaining("always fails");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered without waiting out a 2 s backoff")
        .isLessThan(Duration.ofMillis(1_500));
    assertThat(attempts).containsExactly(1);
    assertThat(store.list()).as("nothing dead-lettered: the platform delivers it again").isEmpty();
  }

  @Test
  void leavingFailuresToTheBrokerAnswersRetryLaterAtOnceAndStoresNoDeadLetter() throws Exception {
    GroupRuntime runtime = failing(fastPolicy(5).toBuilder()
        .failureHandling(DeliveryPolicy.FailureHandling.BROKER).build());

    Outcome first = outcome(runtime.deliver(BrokerRecord.ofEvent(seqEvent("o-1", 1)), DeliveryInfo.FIRST));
    Outcome malformed = outcome(runtime.deliver(
        BrokerRecord.ofBytes(OutOfStock.TYPE.name(), "o-2", null, "{broken".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        DeliveryInfo.delivery(4)));

    assertThat(first.kind()).isEqualTo(Outcome.Kind.RETRY_LATER);
    assertThat(attempts).as("one attempt per delivery: the broker redelivers").containsExactly(1);
    assertThat(malformed.kind()).as("undecodable, left to the broker's dead-letter queue too")
        .isEqualTo(Outcome.Kind.RETRY_LATER);
    assertThat(store.list()).isEmpty();
  }

  @Test
  void leavingFailuresToABrokerThatCannotRedeliverIsAConfigurationError() {
    try (EventBus bus = EventBus.builder().build()) {
      DeliveryPolicy toBroker = DeliveryPolicy.builder().failureHandling(DeliveryPolicy.FailureHandling.BROKER).build();

      assertThatThrownBy(() -> bus.subscribe(group("g", 1, toBroker),
          EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> { }).build()))
          .isInstanceOfSatisfying(OmsException.class, e -> {
            assertThat(e.kind()).isEqualTo(OmsException.Kind.CONFIGURATION);
            assertThat(e.getMessage()).contains("FailureHandling.BROKER").contains("in-memory");
          });
    }
  }

  @Test
  void aBrokerThatRedeliversNativelyAcceptsTheOptIn() {
    ControlledBroker broker = new ControlledBroker();
    broker.capabilities(broker.delegate().capabilities().toBuilder().nativeRedelivery(true).build());
    AtomicInteger calls = new AtomicInteger();
    try (EventBus bus = EventBus.builder().broker(broker).build()) {
      bus.subscribe(group("g", 1, DeliveryPolicy.builder().failureHandling(DeliveryPolicy.FailureHandling.BROKER).build()),
          EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> calls.incrementAndGet()).build());
      DeliveryTestSupport.accepted(bus.publish(seqEvent("o-1", 1)));
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> calls.get() == 1);
    }
  }

  @Test
  void aCancelledDeliveryStartsNoFurtherAttempt() throws Exception {
    DeliveryPolicy slowRetry = DeliveryPolicy.builder().maxAttempts(5)
        .backoff(Duration.ofMillis(200), Duration.ofMillis(200), 1.0).jitter(0).build();
    GroupRuntime runtime = failing(slowRetry);
    java.util.concurrent.CompletableFuture<Outcome> stage =
        runtime.deliver(BrokerRecord.ofEvent(seqEvent("o-1", 1)), DeliveryInfo.FIRST).toCompletableFuture();
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> attempts.size() == 1);

    stage.cancel(false); // a revoked partition: the adapter gives the record up
    assertThat(runtime.awaitStopped(stage, WAIT)).isTrue();

    org.awaitility.Awaitility.await().during(Duration.ofMillis(600)).atMost(WAIT)
        .until(() -> attempts.size() == 1); // three backoffs long: no retry ran
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> runtime.inFlight() == 0);
    assertThat(store.list()).isEmpty();
  }
}
