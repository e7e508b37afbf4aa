package dev.oms.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oms.broker.spi.UnitOfWork;
import dev.oms.event.EventMetadata;
import dev.oms.event.OrderCancelled;
import dev.oms.event.CancellationReason;
import dev.oms.event.OrderEvent;
import dev.oms.event.OutOfStock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The default idempotency store keeps the rule it states, on a clock the test moves. */
class InMemoryIdempotencyStoreTest {
  private static final UnitOfWork.Work WORK = UnitOfWork.Work.DIRECT;
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final InMemoryIdempotencyStore store =
      InMemoryIdempotencyStore.create(Duration.ofSeconds(10), Duration.ofMinutes(10), nanos::get);

  private static OutOfStock event(String orderId) {
    return new OutOfStock(EventMetadata.first(orderId, null), "SKU-1", 1, 0);
  }

  private static OrderCancelled end(String orderId) {
    return new OrderCancelled(EventMetadata.first(orderId, null), CancellationReason.OUT_OF_STOCK, "test");
  }

  private static EventMetadata withId(String eventId) {
    EventMetadata m = EventMetadata.first("o-1", null);
    return new EventMetadata(eventId, m.orderId(), m.occurredAt(), m.correlationId(), m.causationId(), m.traceparent());
  }

  private void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }

  @Test
  void aClaimedIdIsADuplicateUntilReleased() {
    OrderEvent e = event("o-1");

    assertThat(store.claim(WORK, "g", e)).isTrue();
    assertThat(store.claim(WORK, "g", e)).as("claimed again: a duplicate").isFalse();
    store.release(WORK, "g", e);
    assertThat(store.claim(WORK, "g", e)).as("released after a failed run: handled again").isTrue();
  }

  @Test
  void releasingAnIdInTheMiddleKeepsTheOthersAndTheirAge() {
    List<OrderEvent> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      events.add(event("o-1"));
      store.claim(WORK, "g", events.get(i));
    }
    store.release(WORK, "g", events.get(2));

    assertThat(store.claim(WORK, "g", events.get(0))).isFalse();
    assertThat(store.claim(WORK, "g", events.get(1))).isFalse();
    assertThat(store.claim(WORK, "g", events.get(3))).isFalse();
    assertThat(store.claim(WORK, "g", events.get(4))).isFalse();
    for (int i = 4; i < OrderTable.MAX_IDS; i++) {
      store.claim(WORK, "g", event("o-1")); // fills the order's ids
    }
    store.claim(WORK, "g", event("o-1")); // one more: the oldest gives way
    assertThat(store.claim(WORK, "g", events.get(1))).as("the second oldest stays").isFalse();
    assertThat(store.claim(WORK, "g", events.get(0))).as("the oldest gave way").isTrue();
  }

  @Test
  void ordersWhoseIdsShareAStringHashKeepTheirIdsApart() {
    String a = "order-Aa";
    String b = "order-BB";
    assertThat(a.hashCode()).as("the two ids collide on String.hashCode").isEqualTo(b.hashCode());
    List<OrderEvent> ofA = new ArrayList<>();
    for (int i = 0; i < OrderTable.MAX_IDS; i++) {
      ofA.add(event(a));
      store.claim(WORK, "g", ofA.get(i));
      store.claim(WORK, "g", event(b));
    }
    store.orderEnded(b);
    advance(Duration.ofSeconds(11));

    assertThat(ofA).as("ids of an order in flight, after a colliding order filled its own and ended")
        .allSatisfy(e -> assertThat(store.claim(WORK, "g", e)).isFalse());
  }

  @Test
  void eventIdsThatDifferOnlyWhereTheirStringHashesCollideAreTwoIds() {
    OrderEvent first = new OutOfStock(withId("Aa-event-1"), "SKU-1", 1, 0);
    OrderEvent second = new OutOfStock(withId("BB-event-1"), "SKU-1", 1, 0);
    assertThat(first.eventId().hashCode()).isEqualTo(second.eventId().hashCode());

    assertThat(store.claim(WORK, "g", first)).isTrue();
    assertThat(store.claim(WORK, "g", second)).as("a different id, not a duplicate").isTrue();
  }

  @Test
  void groupsRememberOnTheirOwn() {
    OrderEvent e = event("o-1");
    store.claim(WORK, "a", e);

    assertThat(store.claim(WORK, "b", e)).isTrue();
    assertThat(store.claim(WORK, "a", e)).isFalse();
  }

  @Test
  void anOrderKeepsEveryIdUpToTheStatedCountAndOnlyAnOrderWithMoreGivesOneUp() {
    List<OrderEvent> events = new ArrayList<>();
    for (int i = 0; i < OrderTable.MAX_IDS; i++) {
      OrderEvent e = event("o-many");
      events.add(e);
      assertThat(store.claim(WORK, "g", e)).isTrue();
    }
    assertThat(events).allSatisfy(e -> assertThat(store.claim(WORK, "g", e)).isFalse());

    OrderEvent ninth = event("o-many");
    assertThat(store.claim(WORK, "g", ninth)).isTrue();
    assertThat(store.claim(WORK, "g", ninth)).as("the newest id is remembered").isFalse();
    assertThat(store.entries("g")).as("ids kept for the order").isEqualTo(OrderTable.MAX_IDS);
    assertThat(store.claim(WORK, "g", events.get(1))).as("the second oldest id is still remembered").isFalse();
    assertThat(store.claim(WORK, "g", events.get(0))).as("the oldest id gave way").isTrue();
  }

  @Test
  void groupsSharingAnOrderKeepTheirIdsApartAndEachBlocksItOnItsOwn() {
    OrderEvent e = event("o-1");
    for (String group : List.of("a", "b", "c")) {
      assertThat(store.claim(WORK, group, e)).as("first claim by %s", group).isTrue();
    }
    assertThat(store.entries("a")).isEqualTo(1);
    store.release(WORK, "b", e);
    assertThat(store.claim(WORK, "a", e)).as("a's id stays when b releases its own").isFalse();
    assertThat(store.claim(WORK, "b", e)).as("b's released id, handled again").isTrue();

    store.orderEnded("o-1");
    store.blocked("a", "o-1", true);
    store.blocked("b", "o-1", true);
    store.blocked("b", "o-1", true); // said twice: still one group holding it
    store.blocked("b", "o-1", false);
    advance(Duration.ofDays(1));
    assertThat(store.claim(WORK, "c", e)).as("still blocked by a a day later: remembered").isFalse();
    store.blocked("a", "o-1", false);
    advance(Duration.ofSeconds(11));
    assertThat(store.claim(WORK, "c", e)).as("released by both, then the after-end time passed").isTrue();
  }

  @Test
  void manyGroupsNeverMistakeEachOthersIds() {
    OrderEvent e = event("o-1");
    for (int g = 0; g < 300; g++) { // past 255 groups the tags wrap; the salt keeps them apart
      assertThat(store.claim(WORK, "group-" + g, e)).as("group-%s's first claim", g).isTrue();
    }
  }

  @Test
  void anInFlightOrderIsRememberedForTheIdleTimeAfterItsLastEventAndForgottenAfter() {
    OrderEvent e = event("o-1");
    store.claim(WORK, "g", e);

    advance(Duration.ofMinutes(9));
    assertThat(store.claim(WORK, "g", e)).as("9 min later, within the stated 10 min").isFalse();
    assertThat(store.claim(WORK, "g", event("o-1"))).as("the order's next event, handled").isTrue();
    advance(Duration.ofMinutes(9));
    assertThat(store.claim(WORK, "g", e)).as("18 min after the first event, 9 after the group's last").isFalse();
    advance(Duration.ofMinutes(2));
    assertThat(store.claim(WORK, "g", e)).as("past the idle time since the last handled event: forgotten").isTrue();
  }

  @Test
  void anEndedOrderIsRememberedForTheAfterEndTimeOnly() {
    OrderEvent e = event("o-1");
    store.claim(WORK, "g", e);
    store.orderEnded("o-1");

    advance(Duration.ofSeconds(9));
    assertThat(store.claim(WORK, "g", e)).as("within 10 s of the end").isFalse();
    advance(Duration.ofSeconds(11));
    assertThat(store.claim(WORK, "g", e)).as("10 s after the end and the last event: forgotten").isTrue();
  }

  @Test
  void aGroupHandlingTheEndingEventStartsTheAfterEndTimeItself() {
    OrderEvent e = event("o-1");
    store.claim(WORK, "g", e);
    assertThat(store.claim(WORK, "g", end("o-1"))).isTrue();

    advance(Duration.ofSeconds(11));
    assertThat(store.claim(WORK, "g", e)).isTrue();
  }

  @Test
  void aBlockedOrderIsRememberedUntilReleasedHoweverLongThatTakes() {
    OrderEvent e = event("o-1");
    store.claim(WORK, "g", e);
    store.orderEnded("o-1");
    store.blocked("g", "o-1", true);

    advance(Duration.ofDays(3));
    assertThat(store.claim(WORK, "g", e)).as("blocked for three days").isFalse();
    store.blocked("g", "o-1", false);
    advance(Duration.ofSeconds(11));
    assertThat(store.claim(WORK, "g", e)).as("released, then the after-end time passed").isTrue();
  }

  @Test
  void memoryFollowsOrdersInFlightNotThroughput() {
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 20_000; i++) {
        String order = "o-" + round + "-" + i;
        store.claim(WORK, "g", event(order));
        store.orderEnded(order);
      }
      advance(Duration.ofSeconds(11)); // each round's orders end and age out
    }
    store.claim(WORK, "g", event("o-last")); // a claim after the last round: segments reclaim as they grow

    assertThat(store.entries("g")).as("ids in reach after 100,000 orders ended long ago").isEqualTo(1);
    assertThat(store.capacity()).as("order slots allocated: for one round of orders, not five")
        .isLessThanOrEqualTo(8L * 20_000); // at most a third full after a rehash, rounded to powers of two
  }

  @Test
  void concurrentClaimsOfDifferentOrdersNeverLoseAnId() throws Exception {
    int threads = 8;
    int perThread = 25_000;
    List<List<OrderEvent>> events = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<OrderEvent> mine = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        mine.add(event("o-" + t + "-" + (i % 5_000))); // orders of all threads share segments
      }
      events.add(mine);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      for (List<OrderEvent> mine : events) {
        pool.execute(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          for (OrderEvent e : mine) {
            store.claim(WORK, "g", e);
          }
        });
      }
      start.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }

    long forgotten = events.stream().flatMap(List::stream).filter(e -> store.claim(WORK, "g", e)).count();
    assertThat(forgotten).as("ids claimed concurrently that the store lost").isZero();
  }

  @Test
  void theReachIsStatedAsARuleWithItsWindow() {
    assertThat(store.reach().rule()).contains("per group and order").contains("last " + OrderTable.MAX_IDS).contains("10000 ms").contains("600 s");
    assertThat(store.reach().window()).isEqualTo(Duration.ofSeconds(10));
  }
}
