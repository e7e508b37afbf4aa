package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.event.OutOfStock;
import dev.oms.memory.InMemoryBroker;
import dev.oms.memory.InMemoryBrokerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Events of one order are handled one at a time in the order they were published, while different
 * orders are handled in parallel.
 */
class OrderingTest {
  private static final int ORDERS = 200;
  private static final int EVENTS_PER_ORDER = 20;
  private static final String GROUP = "projection";

  private final EventBus bus = EventBus.builder()
      .broker(InMemoryBroker.create(InMemoryBrokerConfig.builder().threads(4).build()))
      .build();
  private final Map<String, ConcurrentLinkedQueue<Integer>> seen = new ConcurrentHashMap<>();
  private final Set<String> threads = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> inFlightPerOrder = new ConcurrentHashMap<>();
  private final AtomicInteger overlapsWithinAnOrder = new AtomicInteger();
  private final AtomicInteger handled = new AtomicInteger();

  @AfterEach
  void closeBus() {
    bus.close();
  }

  private void record(OutOfStock e) {
    AtomicInteger inFlight = inFlightPerOrder.computeIfAbsent(e.orderId(), k -> new AtomicInteger());
    if (inFlight.incrementAndGet() != 1) {
      overlapsWithinAnOrder.incrementAndGet();
    }
    threads.add(Thread.currentThread().getName());
    seen.computeIfAbsent(e.orderId(), k -> new ConcurrentLinkedQueue<>()).add(e.requested());
    inFlight.decrementAndGet();
    handled.incrementAndGet();
  }

  /** Two publisher threads; each publishes all events of its half of the orders, interleaved. */
  private void publishFromTwoThreads() throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> publishers = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      int half = p;
      Thread t = new Thread(() -> {
        try {
          start.await();
          for (int seq = 1; seq <= EVENTS_PER_ORDER; seq++) {
            for (int order = half; order < ORDERS; order += 2) {
              accepted(bus.publish(seqEvent("order-" + order, seq)));
            }
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "publisher-" + p);
      publishers.add(t);
      t.start();
    }
    start.countDown();
    for (Thread t : publishers) {
      t.join(WAIT.toMillis());
    }
    assertThat(failure.get()).isNull();
  }

  private void assertEveryOrderHandledInPublishOrder() {
    List<Integer> expected = new ArrayList<>();
    for (int seq = 1; seq <= EVENTS_PER_ORDER; seq++) {
      expected.add(seq);
    }
    assertThat(seen).hasSize(ORDERS);
    seen.forEach((orderId, sequence) ->
        assertThat(new ArrayList<>(sequence)).as("sequence of %s", orderId).containsExactlyElementsOf(expected));
    assertThat(overlapsWithinAnOrder).as("two events of one order handled at the same time").hasValue(0);
  }

  @Test
  void eachOrdersEventsAreHandledInPublishOrderWhileOrdersRunInParallel() throws Exception {
    bus.subscribe(group(GROUP, 4, fastPolicy(1)),
        EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> record(e)).build());

    publishFromTwoThreads();

    await().atMost(WAIT).until(() -> handled.get() == ORDERS * EVENTS_PER_ORDER);
    assertEveryOrderHandledInPublishOrder();
    assertThat(threads).as("threads that handled events").hasSizeGreaterThan(1);
    assertThat(bus.metrics(GROUP).handled()).isEqualTo((long) ORDERS * EVENTS_PER_ORDER);
  }

  @Test
  void publishOrderIsKeptThroughRetries() throws Exception {
    Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    bus.subscribe(group(GROUP, 4, fastPolicy(3)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
      // every 7th event fails on its first attempt and succeeds on the retry
      if ((e.orderId().hashCode() + e.requested()) % 7 == 0 && failedOnce.add(e.eventId())) {
        throw new IllegalStateException("transient failure");
      }
      record(e);
    }).build());

    publishFromTwoThreads();

    await().atMost(WAIT).until(() -> handled.get() == ORDERS * EVENTS_PER_ORDER);
    assertEveryOrderHandledInPublishOrder();
    assertThat(failedOnce).isNotEmpty();
    assertThat(bus.metrics(GROUP).retried()).isEqualTo(failedOnce.size());
    assertThat(bus.deadLetters().list()).isEmpty();
  }
}
