package dev.oms.port;

import static dev.oms.fixtures.Orders.line;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryInventoryTest {

  @Test
  void concurrentOrdersForTheLastUnitsNeverOversell() throws Exception {
    InMemoryInventory inventory = new InMemoryInventory().stock("HOT", 100);
    AtomicInteger reserved = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      int thread = t;
      pool.submit(() -> {
        start.await();
        for (int i = 0; i < 1_000; i++) {
          if (inventory.reserve("o-" + thread + "-" + i, List.of(line("HOT", 1, 1))) instanceof Reservation.Reserved) {
            reserved.incrementAndGet();
          }
        }
        return null;
      });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(reserved.get()).isEqualTo(100);
    assertThat(inventory.available("HOT")).isZero();
    assertThat(inventory.reservedUnits()).containsEntry("HOT", 100L);
  }

  @Test
  void aMultiLineOrderIsAllOrNothing() {
    InMemoryInventory inventory = new InMemoryInventory().stock("A", 5).stock("B", 1);
    Reservation r = inventory.reserve("o-1", List.of(line("A", 2, 1), line("B", 2, 1)));
    assertThat(r).isEqualTo(new Reservation.Rejected("B", 2, 1));
    assertThat(inventory.available("A")).isEqualTo(5);
    assertThat(inventory.reserve("o-1", List.of(line("A", 1, 1)))).as("idempotent per order").isEqualTo(r);
    assertThat(inventory.reserve("o-2", List.of(line("UNKNOWN", 1, 1)))).isInstanceOf(Reservation.Rejected.class);
  }

  @Test
  void releaseReturnsStockOnceAndACancellationBeforeTheOrderBlocksItsReservation() {
    InMemoryInventory inventory = new InMemoryInventory().stock("A", 3);
    inventory.reserve("o-1", List.of(line("A", 2, 1)));
    assertThat(inventory.release("o-1")).hasSize(1);
    assertThat(inventory.release("o-1")).isEmpty();
    assertThat(inventory.available("A")).isEqualTo(3);

    assertThat(inventory.release("o-2")).isEmpty();
    assertThat(inventory.reserve("o-2", List.of(line("A", 1, 1)))).isInstanceOf(Reservation.Cancelled.class);
    assertThat(inventory.available("A")).isEqualTo(3);
    assertThat(inventory.holdsReservation("o-2")).isFalse();
  }
}
