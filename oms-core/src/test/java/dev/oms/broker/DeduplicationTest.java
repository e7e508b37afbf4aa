package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.event.OrderEvent;
import dev.oms.event.OutOfStock;
import dev.oms.internal.DedupWindow;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A redelivered event id is handled once per group; the memory of ids is bounded. */
class DeduplicationTest {
  private final List<String> handledIds = new CopyOnWriteArrayList<>();
  private final List<String> duplicateIds = new CopyOnWriteArrayList<>();
  private final EventBus bus = EventBus.builder().listener(new DeliveryListener() {
    @Override
    public void onDuplicate(String group, OrderEvent event) {
      duplicateIds.add(event.eventId());
    }
  }).build();

  @AfterEach
  void closeBus() {
    bus.close();
  }

  private void subscribe(DeliveryPolicy policy) {
    bus.subscribe(group("dedup", 1, policy),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> handledIds.add(e.eventId())).build());
  }

  private void awaitProcessed(long handled, long duplicates) {
    await().atMost(WAIT).until(() -> {
      GroupMetrics m = bus.metrics("dedup");
      return m.handled() == handled && m.duplicatesSkipped() == duplicates;
    });
  }

  @Test
  void theSameEventPublishedTwiceIsHandledOnceAndCountedAsADuplicate() {
    subscribe(fastPolicy(3));
    OutOfStock event = seqEvent("o-1", 1);

    accepted(bus.publish(event));
    accepted(bus.publish(event));

    awaitProcessed(1, 1);
    assertThat(handledIds).containsExactly(event.eventId());
    assertThat(duplicateIds).containsExactly(event.eventId());
    assertThat(bus.deadLetters().list()).isEmpty();
  }

  @Test
  void aRedeliveryLaterInTheStreamIsStillSkipped() {
    subscribe(fastPolicy(3));
    OutOfStock first = seqEvent("o-1", 1);
    OutOfStock second = seqEvent("o-1", 2);
    OutOfStock other = seqEvent("o-2", 1);

    accepted(bus.publish(first));
    accepted(bus.publish(second));
    accepted(bus.publish(other));
    accepted(bus.publish(first));
    accepted(bus.publish(other));

    awaitProcessed(3, 2);
    assertThat(handledIds).containsExactlyInAnyOrder(first.eventId(), second.eventId(), other.eventId());
  }

  @Test
  void twoDifferentEventsOfTheSameOrderAreBothHandled() {
    subscribe(fastPolicy(3));
    OutOfStock a = seqEvent("o-1", 1);
    OutOfStock b = seqEvent("o-1", 1); // same content, different event id

    accepted(bus.publish(a));
    accepted(bus.publish(b));

    awaitProcessed(2, 0);
    assertThat(handledIds).containsExactly(a.eventId(), b.eventId());
  }

  @Test
  void withDedupCapacityZeroARedeliveryIsHandledAgain() {
    subscribe(fastPolicy(3).toBuilder().dedupCapacity(0).build());
    OutOfStock event = seqEvent("o-1", 1);

    accepted(bus.publish(event));
    accepted(bus.publish(event));

    awaitProcessed(2, 0);
    assertThat(handledIds).containsExactly(event.eventId(), event.eventId());
    assertThat(duplicateIds).isEmpty();
  }

  @Test
  void eachGroupDeduplicatesOnItsOwn() {
    List<String> other = new CopyOnWriteArrayList<>();
    subscribe(fastPolicy(3));
    bus.subscribe(group("other", 1, fastPolicy(3)),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> other.add(e.eventId())).build());
    OutOfStock event = seqEvent("o-1", 1);

    accepted(bus.publish(event));
    accepted(bus.publish(event));

    awaitProcessed(1, 1);
    await().atMost(WAIT).until(() -> bus.metrics("other").duplicatesSkipped() == 1);
    assertThat(handledIds).containsExactly(event.eventId());
    assertThat(other).containsExactly(event.eventId());
  }

  @Test
  void aFailedEventIsNotRememberedSoItsRedeliveryIsHandled() {
    AtomicInteger calls = new AtomicInteger();
    bus.subscribe(group("dedup", 1, fastPolicy(1)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("first delivery fails");
      }
      handledIds.add(e.eventId());
    }).build());
    OutOfStock event = seqEvent("o-1", 1);
    accepted(bus.publish(event));
    await().atMost(WAIT).until(() -> bus.deadLetters().failures("dedup").size() == 1);

    RedriveResult result = bus.deadLetters().redrive(bus.deadLetters().failures("dedup").get(0).id());

    assertThat(result.handled()).isTrue();
    assertThat(handledIds).containsExactly(event.eventId());
    assertThat(bus.metrics("dedup").duplicatesSkipped()).isZero();
  }

  @Test
  void aWindowSmallerThanTheGapForgetsTheOldestIdSoItsRedeliveryIsHandledAgain() {
    subscribe(fastPolicy(3).toBuilder().dedupCapacity(2).build());
    OutOfStock e1 = seqEvent("o-1", 1);
    OutOfStock e2 = seqEvent("o-1", 2);
    OutOfStock e3 = seqEvent("o-1", 3);

    accepted(bus.publish(e1));
    accepted(bus.publish(e2));
    accepted(bus.publish(e3));
    accepted(bus.publish(e3)); // still remembered: skipped
    accepted(bus.publish(e1)); // evicted by e3: handled again

    awaitProcessed(4, 1);
    assertThat(handledIds).containsExactly(e1.eventId(), e2.eventId(), e3.eventId(), e1.eventId());
  }

  // ---- DedupWindow itself ----

  @Test
  void dedupWindowRemembersAddedIds() {
    DedupWindow window = new DedupWindow(3);
    window.add("a");
    window.add("b");

    assertThat(window.contains("a")).isTrue();
    assertThat(window.contains("b")).isTrue();
    assertThat(window.contains("c")).isFalse();
    assertThat(window.size()).isEqualTo(2);
  }

  @Test
  void dedupWindowEvictsTheOldestIdBeyondItsCapacity() {
    DedupWindow window = new DedupWindow(3);
    window.add("a");
    window.add("b");
    window.add("c");
    window.add("d");

    assertThat(window.contains("a")).isFalse();
    assertThat(window.contains("b")).isTrue();
    assertThat(window.contains("c")).isTrue();
    assertThat(window.contains("d")).isTrue();
    assertThat(window.size()).isEqualTo(3);

    window.add("e");
    assertThat(window.contains("b")).isFalse();
    assertThat(window.size()).isEqualTo(3);
  }

  @Test
  void dedupWindowAddingAKnownIdAgainDoesNotEvictAnything() {
    DedupWindow window = new DedupWindow(2);
    window.add("a");
    window.add("b");
    window.add("b");
    window.add("a");

    assertThat(window.contains("a")).isTrue();
    assertThat(window.contains("b")).isTrue();
    assertThat(window.size()).isEqualTo(2);
  }

  @Test
  void dedupWindowStaysBoundedUnderConcurrentAdds() throws Exception {
    int capacity = 1_000;
    DedupWindow window = new DedupWindow(capacity);
    int threads = 4;
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        pool.execute(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int i = 0; i < perThread; i++) {
            window.add(thread + "-" + i);
          }
        });
      }
      start.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }

    assertThat(window.size()).isLessThanOrEqualTo(window.slots()).isGreaterThanOrEqualTo(capacity);
    assertThat(window.slots()).isLessThanOrEqualTo(4 * capacity);
    // 80,000 distinct ids went through a window of 1,000: the first id of every thread is gone.
    for (int t = 0; t < threads; t++) {
      assertThat(window.contains(t + "-0")).isFalse();
    }
  }

  @Test
  void dedupWindowRemembersRecentIdsAndNeverReportsAnUnseenOne() {
    int capacity = 10_000;
    DedupWindow window = new DedupWindow(capacity);
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      String id = new java.util.UUID(i * 0x9E3779B97F4A7C15L, ~i * 0xC2B2AE3D27D4EB4FL).toString();
      ids.add(id); // deterministic UUID-shaped ids: the same run every time
      window.add(id);
    }
    long recentRemembered = ids.subList(ids.size() - capacity / 2, ids.size()).stream().filter(window::contains).count();
    assertThat(recentRemembered).as("the newest half-window of ids").isEqualTo(capacity / 2);
    long rememberedOfLastWindow = ids.subList(ids.size() - capacity, ids.size()).stream().filter(window::contains).count();
    assertThat(rememberedOfLastWindow).isGreaterThan(capacity * 99L / 100);
    for (int i = 0; i < 100_000; i++) {
      assertThat(window.contains(new java.util.UUID(~i * 31L, i * 17L).toString())).isFalse();
    }
  }
}
