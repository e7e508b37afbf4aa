package dev.oms.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerProvider;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.codec.EventCodec;
import dev.oms.event.EventMetadata;
import dev.oms.event.OutOfStock;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the kit does not cover for this adapter: its bound, its provider and its configuration. */
class QueueBrokerTest {
  private static final java.util.concurrent.CompletionStage<dev.oms.broker.spi.Outcome> HANDLED =
      java.util.concurrent.CompletableFuture.completedFuture(dev.oms.broker.spi.Outcome.HANDLED);

  private final QueueBroker broker = started(new QueueBroker(2, Duration.ofMillis(50), Duration.ofMillis(10), 1024));

  private static QueueBroker started(QueueBroker broker) {
    broker.start(BrokerContext.of(EventCodec.ofDefaults())); // what a bus gives it
    return broker;
  }

  @AfterEach
  void close() {
    broker.close(Duration.ofSeconds(1));
  }

  private static BrokerRecord record(String orderId) {
    return BrokerRecord.ofEvent(new OutOfStock(EventMetadata.first(orderId, null), "SKU", 1, 0));
  }

  private static OmsException refusal(CompletionStage<Void> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (OmsException) e.getCause();
    }
    throw new AssertionError("expected a refusal");
  }

  @Test
  void aFullGroupRefusesSendsWithBackpressureAfterTheOfferTimeout() throws Exception {
    BrokerSubscription paused = broker.subscribe(new SubscriptionRequest("slow", Set.of(OutOfStock.TYPE.name()), 1),
        (record, info) -> HANDLED);
    paused.pause();

    // The group holds 2 records not yet settled.
    int accepted = 0;
    CompletionStage<Void> sent;
    while ((sent = broker.send(record("o-1"))).toCompletableFuture().handle((ok, error) -> error == null).get()) {
      accepted++;
      assertThat(accepted).as("sends accepted by a paused group bounded at 2").isLessThanOrEqualTo(2);
    }
    OmsException refused = refusal(sent);

    assertThat(accepted).isEqualTo(2);
    assertThat(refused.kind()).isEqualTo(OmsException.Kind.BACKPRESSURE);
    assertThat(refused.getMessage()).contains("slow").contains("full");
    assertThat(paused.backlog()).isEqualTo(accepted);
    assertThat(broker.close(Duration.ofMillis(200))).as("a paused group cannot drain").isFalse();
  }

  @Test
  void aRecordWithoutATypeIsRefused() throws Exception {
    BrokerRecord untyped = BrokerRecord.ofBytes(null, "o-1", Map.of(), new byte[] {'{', '}'});

    assertThat(refusal(broker.send(untyped)).kind()).isEqualTo(OmsException.Kind.INVALID_EVENT);
  }

  @Test
  void aGroupCannotSubscribeTwiceNorAfterClose() {
    SubscriptionRequest request = new SubscriptionRequest("twice", Set.of(OutOfStock.TYPE.name()), 1);
    broker.subscribe(request, (record, info) -> HANDLED);

    assertThatThrownBy(() -> broker.subscribe(request, (record, info) -> HANDLED))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.CONFIGURATION));
    broker.close(Duration.ofSeconds(1));
    assertThatThrownBy(() -> broker.subscribe(new SubscriptionRequest("late", Set.of("t"), 1), (record, info) -> HANDLED))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.CLOSED));
  }

  @Test
  void theProviderIsFoundByNameAndReadsItsOptions() {
    BrokerProvider provider = ServiceLoader.load(BrokerProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("example-queue")).findFirst().orElseThrow();

    EventBroker created = provider.create(Map.of("maxRecordBytes", "4096", "queueCapacity", "8"));

    assertThat(created.capabilities().maxRecordBytes()).isEqualTo(4096);
    assertThat(created.capabilities().carriesObjects()).isTrue();
    assertThatThrownBy(() -> provider.create(Map.of("colour", "blue")))
        .isInstanceOf(OmsException.class).hasMessageContaining("colour");
    assertThatThrownBy(() -> provider.create(Map.of("queueCapacity", "many")))
        .isInstanceOf(OmsException.class).hasMessageContaining("queueCapacity");
    assertThatThrownBy(() -> new QueueBroker(0, Duration.ZERO, Duration.ZERO, 1))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(OmsException.Kind.CONFIGURATION));
  }
}
