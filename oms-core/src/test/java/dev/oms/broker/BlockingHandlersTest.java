package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.event.OutOfStock;
import dev.oms.event.StockReleased;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Handlers declared blocking run on a pool of their own, at most the group's concurrency at once. */
class BlockingHandlersTest {
  private static final List<dev.oms.event.OrderLine> LINES =
      List.of(new dev.oms.event.OrderLine("SKU-1", 1, dev.oms.event.Money.of(100, "USD")));

  @Test
  void blockingHandlersRunOffTheWorkersAtMostConcurrencyAtOnceWhileOtherGroupsGoOn() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    Set<String> blockingThreads = ConcurrentHashMap.newKeySet();
    List<String> other = new CopyOnWriteArrayList<>();
    try (EventBus bus = EventBus.builder().workerThreads(1).build()) {
      bus.subscribe(group("slow-port", 3, DeliveryPolicy.ofDefaults()),
          EventHandlers.builder().onBlocking(OutOfStock.TYPE, (e, ctx) -> {
            blockingThreads.add(Thread.currentThread().getName());
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
              release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS); // a JDBC call that hangs
            } finally {
              running.decrementAndGet();
            }
          }).build());
      bus.subscribe(group("fast", 1, DeliveryPolicy.ofDefaults()),
          EventHandlers.builder().on(StockReleased.TYPE, (e, ctx) -> other.add(Thread.currentThread().getName()))
              .build());

      for (int i = 0; i < 10; i++) {
        accepted(bus.publish(seqEvent("o-" + i, 1)));
      }
      await().atMost(WAIT).until(() -> running.get() == 3);
      for (int i = 0; i < 5; i++) {
        accepted(bus.publish(new StockReleased(dev.oms.event.EventMetadata.first("r-" + i, null), LINES)));
      }
      await().atMost(WAIT).until(() -> other.size() == 5);

      assertThat(running).as("blocking handlers still held").hasValue(3);
      release.countDown();
      await().atMost(WAIT).until(() -> bus.metrics("slow-port").handled() == 10);
    }
    assertThat(mostAtOnce).as("blocking runs at once, bounded by the group's concurrency").hasValue(3);
    assertThat(blockingThreads).allSatisfy(name -> assertThat(name).startsWith("oms-blocking-"));
    assertThat(other).as("the other group kept going while every blocking slot was held").hasSize(5);
  }
}
