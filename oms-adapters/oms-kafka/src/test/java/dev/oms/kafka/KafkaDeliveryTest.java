package dev.oms.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.DeliveryListener;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.ForwardingEventBroker;
import dev.oms.broker.spi.IdempotencyStore;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.broker.spi.UnitOfWork;
import dev.oms.event.EventMetadata;
import dev.oms.event.Money;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderLine;
import dev.oms.event.OutOfStock;
import dev.oms.event.StockReleased;
import dev.oms.memory.InMemoryIdempotencyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the adapter moves records through the asynchronous delivery runtime, on one partition so
 * every record shares it: an order waiting for its follow-on events' acknowledgement holds back
 * only its own later records, the commit stops before the first record without an outcome, records
 * a crashed process had fetched come back counted as redeliveries, {@code abort()} leaves nothing
 * running, a record sent back for redelivery keeps its order's records in order (and no other record
 * comes back), and a revoked partition's stuck record moves to the new owner.
 */
class KafkaDeliveryTest {
  private static final String GROUP = "picking";
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private Admin admin;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private KafkaBrokerConfig config(String namespace) {
    return SharedKafka.config(namespace).partitions(1).build();
  }

  private EventBus bus(EventBus.Builder builder) {
    EventBus bus = builder.build();
    cleanup.add(() -> bus.close(Duration.ofSeconds(5)));
    return bus;
  }

  private Admin admin() {
    if (admin == null) {
      admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.cluster().bootstrapServers()));
      cleanup.add(admin);
    }
    return admin;
  }

  /** The group's committed offset and metadata on the topic's only partition, or null. */
  private OffsetAndMetadata committed(KafkaBrokerConfig config) throws Exception {
    return admin().listConsumerGroupOffsets(config.groupIdPrefix() + GROUP).partitionsToOffsetAndMetadata()
        .get(10, TimeUnit.SECONDS).get(new TopicPartition(config.topic(), 0));
  }

  private static OutOfStock outOfStock(String orderId, int seq) {
    return new OutOfStock(EventMetadata.first(orderId, null), "SKU-1", seq, 0);
  }

  /**
   * Records each out-of-stock event it handles; for the orders in {@code releasing} it also
   * publishes a stock release, so the record's outcome waits for Kafka's acknowledgement of it.
   */
  private static EventHandlers recording(List<String> handled, Set<String> releasing) {
    return EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      handled.add(e.orderId() + "#" + e.requested());
      if (releasing.contains(e.orderId())) {
        ctx.publish(release(ctx.followOn()));
      }
    }).build();
  }

  private static StockReleased release(EventMetadata metadata) {
    return new StockReleased(metadata, List.of(new OrderLine("SKU-1", 1, Money.of(100, "EUR"))));
  }

  @Test
  void anOrderWaitingForItsAcknowledgementHoldsBackOnlyItselfAndTheCommitStopsBeforeIt() throws Exception {
    KafkaBrokerConfig config = config(SharedKafka.uniqueNamespace("pipe"));
    HoldingBroker broker = new HoldingBroker(KafkaBroker.create(config), Set.of("slow"));
    List<String> handled = new CopyOnWriteArrayList<>();
    EventBus bus = bus(EventBus.builder().broker(broker));
    // One lane: records of every order share it, so only pipelining lets them pass the slow one.
    bus.subscribe(ConsumerGroup.builder(GROUP).concurrency(1).build(), recording(handled, Set.of("slow")));

    bus.publish(outOfStock("slow", 1)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (int i = 1; i <= 5; i++) {
      bus.publish(outOfStock("o-" + i, 1)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() == 6);
    assertThat(broker.held()).as("the slow order's follow-on event still waits for Kafka").isEqualTo(1);
    // A commit made after every record was dispatched (its mark says offset 5) still stops at offset 0.
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      OffsetAndMetadata offset = committed(config);
      return offset != null && offset.metadata().startsWith("oms.dispatched=5");
    });
    assertThat(committed(config).offset()).as("committed offset while the first record has no outcome").isZero();

    broker.release();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      OffsetAndMetadata offset = committed(config);
      return offset != null && offset.offset() >= 6;
    });
  }

  @Test
  void recordsACrashedProcessHadFetchedComeBackToItsSuccessorCountedAsRedeliveries() throws Exception {
    KafkaBrokerConfig config = config(SharedKafka.uniqueNamespace("recount"));
    KafkaBroker crashing = KafkaBroker.create(config);
    HoldingBroker first = new HoldingBroker(crashing, Set.of("slow"));
    EventBus firstBus = bus(EventBus.builder().broker(first));
    List<String> handledFirst = new CopyOnWriteArrayList<>();
    firstBus.subscribe(ConsumerGroup.builder(GROUP).concurrency(4).build(), recording(handledFirst, Set.of("slow")));
    firstBus.publish(outOfStock("slow", 1)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (int i = 1; i <= 5; i++) {
      firstBus.publish(outOfStock("o-" + i, 1)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> handledFirst.size() == 6);
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      OffsetAndMetadata offset = committed(config);
      return offset != null && offset.metadata().startsWith("oms.dispatched=5");
    });
    crashing.abort(); // the slow order's follow-on never reached Kafka: offsets 0..5 were not committed past

    HoldingBroker second = new HoldingBroker(KafkaBroker.create(config), Set.of());
    EventBus secondBus = bus(EventBus.builder().broker(second));
    List<String> handledSecond = new CopyOnWriteArrayList<>();
    secondBus.subscribe(ConsumerGroup.builder(GROUP).concurrency(4).build(), recording(handledSecond, Set.of()));
    await().atMost(Duration.ofSeconds(60)).until(() -> handledSecond.size() == 6);
    OutOfStock fresh = outOfStock("o-new", 1);
    secondBus.publish(fresh).toCompletableFuture().get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(60)).until(() -> handledSecond.size() == 7);

    assertThat(handledSecond).containsExactlyInAnyOrder("slow#1", "o-1#1", "o-2#1", "o-3#1", "o-4#1", "o-5#1",
        "o-new#1");
    Map<String, Integer> counts = second.deliveryCounts();
    assertThat(counts).as("delivery counts by order").containsEntry("slow", 2).containsEntry("o-1", 2)
        .containsEntry("o-5", 2).containsEntry("o-new", 1);
  }

  @Test
  void aRecordThatKillsEveryConsumerItReachesCountsUpAcrossOwnersAndEndsInTheDeadLetters() throws Exception {
    KafkaBrokerConfig config = config(SharedKafka.uniqueNamespace("poison"));
    DeliveryPolicy threeAttempts = DeliveryPolicy.builder().maxAttempts(3).build();
    OutOfStock poison = outOfStock("poison", 1);
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    for (int owner = 1; owner <= 2; owner++) {
      // Each owner gets stuck on the record (its follow-on is never acknowledged) and dies with it.
      KafkaBroker crashing = KafkaBroker.create(config);
      EventBus bus = bus(EventBus.builder().broker(new HoldingBroker(crashing, Set.of("poison"))));
      bus.subscribe(ConsumerGroup.builder(GROUP).concurrency(1).policy(threeAttempts).build(),
          EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
            attempts.add(ctx.attempt());
            ctx.publish(release(ctx.followOn()));
          }).build());
      if (owner == 1) {
        bus.publish(poison).toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      String head = "head=0:" + owner;
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        OffsetAndMetadata offset = committed(config);
        return offset != null && offset.metadata().endsWith(head);
      });
      crashing.abort();
    }
    List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    EventBus last = bus(EventBus.builder().broker(KafkaBroker.create(config)).listener(new DeliveryListener() {
      @Override
      public void onDeadLettered(DeadLetter deadLetter) {
        deadLetters.add(deadLetter);
      }
    }));
    last.subscribe(ConsumerGroup.builder(GROUP).concurrency(1).policy(threeAttempts).build(),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
          attempts.add(ctx.attempt());
          throw new IllegalStateException("it kills its consumer");
        }).build());

    await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters.size() == 1);
    assertThat(attempts).as("attempt numbers seen by the three owners").containsExactly(1, 2, 3);
    assertThat(deadLetters.get(0).attempts()).isEqualTo(3);
    assertThat(deadLetters.get(0).eventId()).isEqualTo(poison.eventId());
  }

  @Test
  void abortReturnsOnlyOnceTheHandlerInProgressFinishedAndNothingIsCommittedAfterIt() throws Exception {
    KafkaBrokerConfig config = config(SharedKafka.uniqueNamespace("abort"));
    KafkaBroker broker = KafkaBroker.create(config);
    // The busy order's follow-on event never reaches Kafka: its record cannot settle by itself.
    EventBus bus = bus(EventBus.builder().broker(new HoldingBroker(broker, Set.of("busy"))));
    CountDownLatch inHandler = new CountDownLatch(1);
    AtomicBoolean handlerFinished = new AtomicBoolean();
    List<String> handled = new CopyOnWriteArrayList<>();
    Thread[] aborting = new Thread[1];
    bus.subscribe(ConsumerGroup.builder(GROUP).concurrency(2).build(), EventHandlers.builder()
        .on(OutOfStock.TYPE, (e, ctx) -> {
          if (e.orderId().equals("busy")) {
            inHandler.countDown();
            // Still running while abort() is under way: it must wait for this run to end.
            await().atMost(Duration.ofSeconds(30)).until(() -> aborting[0] != null && isAborting(aborting[0]));
            ctx.publish(release(ctx.followOn()));
            handlerFinished.set(true);
          }
          handled.add(e.orderId());
        }).build());
    bus.publish(outOfStock("o-1", 1)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(60)).until(() -> handled.contains("o-1"));
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      OffsetAndMetadata offset = committed(config);
      return offset != null && offset.offset() == 1;
    });
    bus.publish(outOfStock("busy", 1)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(inHandler.await(60, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Boolean> finishedWhenAbortReturned = new CompletableFuture<>();
    aborting[0] = new Thread(() -> {
      broker.abort();
      finishedWhenAbortReturned.complete(handlerFinished.get());
    }, "aborting");
    aborting[0].start();
    assertThat(finishedWhenAbortReturned.get(60, TimeUnit.SECONDS))
        .as("the handler in progress had finished when abort() returned").isTrue();
    assertThat(committed(config).offset()).as("nothing committed past the record in progress").isEqualTo(1);
  }

  private static boolean isAborting(Thread thread) {
    for (StackTraceElement frame : thread.getStackTrace()) {
      if (frame.getClassName().endsWith("KafkaSubscription") && frame.getMethodName().equals("abort")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aRecordSentBackForRedeliveryComesAgainBeforeItsOrdersLaterRecordsAndNoSettledRecordComesBack()
      throws Exception {
    KafkaBrokerConfig config = config(SharedKafka.uniqueNamespace("rewind"));
    HoldingBroker broker = new HoldingBroker(KafkaBroker.create(config), Set.of());
    List<String> handled = new CopyOnWriteArrayList<>();
    OutOfStock first = outOfStock("k", 1);
    // The runtime itself fails once on the order's first record (an internal error, not the
    // handler's): the record comes back as retry-later, which must not let the order's later
    // records overtake it.
    IdempotencyStore failingOnce = new FailingOnce(first.eventId());
    EventBus bus = bus(EventBus.builder().broker(broker).idempotencyStore(failingOnce));
    bus.subscribe(ConsumerGroup.builder(GROUP).concurrency(2).build(), recording(handled, Set.of()));
    bus.publish(first).toCompletableFuture().get(30, TimeUnit.SECONDS);
    List<OutOfStock> others = new ArrayList<>();
    for (int seq = 2; seq <= 4; seq++) {
      bus.publish(outOfStock("k", seq)).toCompletableFuture().get(30, TimeUnit.SECONDS);
      OutOfStock other = outOfStock("other-" + seq, 1);
      others.add(other);
      bus.publish(other).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> handled.stream().filter(h -> h.startsWith("k#")).count() == 4);
    assertThat(handled.stream().filter(h -> h.startsWith("k#")).toList())
        .as("the order's records, handled once each, in order").containsExactly("k#1", "k#2", "k#3", "k#4");
    assertThat(broker.deliveries(first.eventId())).as("deliveries of the record sent back").hasSize(2);
    assertThat(broker.deliveries(first.eventId()).get(1).deliveryCount()).as("its second delivery's count")
        .isEqualTo(2);
    for (String other : List.of("other-2", "other-3", "other-4")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.contains(other + "#1"));
    }
    for (OutOfStock other : others) {
      assertThat(broker.deliveries(other.eventId())).as("deliveries of %s, settled the first time", other.orderId())
          .hasSize(1);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      OffsetAndMetadata offset = committed(config);
      return offset != null && offset.offset() == 7;
    });
  }

  /** An order id whose records land on {@code partition} of a topic with {@code partitions} partitions. */
  private static String orderOnPartition(String prefix, int partition, int partitions) {
    for (int i = 0; ; i++) {
      String key = prefix + i;
      byte[] bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      if (org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(bytes))
          % partitions == partition) {
        return key;
      }
    }
  }

  @Test
  void aRevokedPartitionsRecordStuckInProgressIsGivenUpAfterTheRevokeTimeoutAndTheNewOwnerDeliversItAgain()
      throws Exception {
    String namespace = SharedKafka.uniqueNamespace("revoke");
    KafkaBrokerConfig config = SharedKafka.config(namespace).partitions(2).revokeTimeout(Duration.ofSeconds(2))
        .consumerProperty("session.timeout.ms", 6_000).consumerProperty("heartbeat.interval.ms", 500).build();
    // One stuck order per partition: whichever partition moves, its stuck record must move with it.
    String stuck0 = orderOnPartition("stuck-", 0, 2);
    String stuck1 = orderOnPartition("stuck-", 1, 2);
    HoldingBroker first = new HoldingBroker(KafkaBroker.create(config), Set.of(stuck0, stuck1));
    EventBus firstBus = bus(EventBus.builder().broker(first));
    List<String> handledFirst = new CopyOnWriteArrayList<>();
    firstBus.subscribe(ConsumerGroup.builder(GROUP).concurrency(2).build(),
        recording(handledFirst, Set.of(stuck0, stuck1)));
    firstBus.publish(outOfStock(stuck0, 1)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    firstBus.publish(outOfStock(stuck1, 1)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(60)).until(() -> handledFirst.size() == 2);

    // A second instance joins: one partition moves to it, with a record the first could not finish.
    HoldingBroker second = new HoldingBroker(KafkaBroker.create(config), Set.of());
    EventBus secondBus = bus(EventBus.builder().broker(second));
    List<String> handledSecond = new CopyOnWriteArrayList<>();
    secondBus.subscribe(ConsumerGroup.builder(GROUP).concurrency(2).build(), recording(handledSecond, Set.of()));
    await().atMost(Duration.ofSeconds(60)).until(() -> handledSecond.size() == 1);
    String moved = handledSecond.get(0).substring(0, handledSecond.get(0).indexOf('#'));
    assertThat(moved).isIn(stuck0, stuck1);
    assertThat(second.deliveryCounts()).as("the new owner knows it is a redelivery").containsEntry(moved, 2);
    // The record that stayed is still the first instance's, still stuck; the moved one is committed past.
    String stayed = moved.equals(stuck0) ? stuck1 : stuck0;
    int movedPartition = moved.equals(stuck0) ? 0 : 1;
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      OffsetAndMetadata offset = admin().listConsumerGroupOffsets(config.groupIdPrefix() + GROUP)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
          .get(new TopicPartition(config.topic(), movedPartition));
      return offset != null && offset.offset() >= 1;
    });
    assertThat(handledSecond).doesNotContain(stayed + "#1");
  }

  /** An idempotency store whose claim fails once, as a bug in the runtime's own steps would. */
  private static final class FailingOnce implements IdempotencyStore {
    private final IdempotencyStore delegate = InMemoryIdempotencyStore.ofDefaults();
    private final String eventId;
    private final AtomicBoolean failed = new AtomicBoolean();

    FailingOnce(String eventId) {
      this.eventId = eventId;
    }

    @Override
    public Reach reach() {
      return delegate.reach();
    }

    @Override
    public boolean claim(UnitOfWork.Work work, String group, OrderEvent event) {
      if (event.eventId().equals(eventId) && failed.compareAndSet(false, true)) {
        throw new AssertionError("simulated failure inside the delivery runtime");
      }
      return delegate.claim(work, group, event);
    }

    @Override
    public void release(UnitOfWork.Work work, String group, OrderEvent event) {
      delegate.release(work, group, event);
    }
  }

  /**
   * The Kafka broker, holding back the follow-on events of some orders (their send never
   * completes until {@link #release()}) and recording the delivery info of every record delivered.
   */
  private static final class HoldingBroker extends ForwardingEventBroker {
    private final Set<String> holdOrders;
    private final List<Runnable> held = new CopyOnWriteArrayList<>();
    private final Map<String, List<DeliveryInfo>> deliveries = new ConcurrentHashMap<>();
    private final Map<String, Integer> countsByOrder = new ConcurrentHashMap<>();

    HoldingBroker(KafkaBroker delegate, Set<String> holdOrders) {
      super(delegate);
      this.holdOrders = holdOrders;
    }

    @Override
    public CompletionStage<Void> send(BrokerRecord record) {
      if (StockReleased.TYPE.name().equals(record.type()) && holdOrders.contains(record.key())) {
        CompletableFuture<Void> later = new CompletableFuture<>();
        held.add(() -> super.send(record).whenComplete((ok, error) -> {
          if (error == null) {
            later.complete(null);
          } else {
            later.completeExceptionally(error);
          }
        }));
        return later;
      }
      return super.send(record);
    }

    int held() {
      return held.size();
    }

    void release() {
      held.forEach(Runnable::run);
    }

    List<DeliveryInfo> deliveries(String eventId) {
      return deliveries.getOrDefault(eventId, List.of());
    }

    /** The delivery count of each order's latest delivered record. */
    Map<String, Integer> deliveryCounts() {
      return countsByOrder;
    }

    @Override
    public BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
      return super.subscribe(request, new RecordHandler() {
        @Override
        public CompletionStage<Outcome> deliver(BrokerRecord record, DeliveryInfo info) {
          String eventId = record.eventId();
          if (eventId != null) {
            deliveries.computeIfAbsent(eventId, id -> new CopyOnWriteArrayList<>()).add(info);
          }
          if (record.key() != null) {
            countsByOrder.put(record.key(), info.deliveryCount());
          }
          return handler.deliver(record, info);
        }

        @Override
        public void onKeysAssigned() {
          handler.onKeysAssigned();
        }

        @Override
        public boolean awaitStopped(CompletionStage<Outcome> stage, Duration timeout) {
          return handler.awaitStopped(stage, timeout);
        }
      });
    }
  }
}
