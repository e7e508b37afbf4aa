package dev.oms.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A group's hot counters: exact under concurrency, and no two threads' stripes share a cache line. */
class GroupCountersTest {

  @Test
  void concurrentIncrementsAreAllCounted() throws Exception {
    GroupCounters counters = new GroupCounters();
    int threads = 8;
    int each = 100_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) {
          counters.increment(GroupCounters.HANDLED);
          counters.increment(GroupCounters.COMPLETED);
        }
      });
      workers.add(worker);
      worker.start();
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }

    assertThat(counters.sum(GroupCounters.HANDLED)).isEqualTo((long) threads * each);
    assertThat(counters.sum(GroupCounters.COMPLETED)).isEqualTo((long) threads * each);
    assertThat(counters.sum(GroupCounters.RETRIED)).isZero();
  }

  @Test
  void stripesAreAtLeastTwoCacheLinesApartSoThreadsNeverWriteTheSameLine() {
    // Every counter of stripe s lies in [offset(s, 0), offset(s, 0) + STRIDE): 16 longs = 128 bytes.
    assertThat(GroupCounters.STRIDE * Long.BYTES).isGreaterThanOrEqualTo(128);
    for (int stripe = 0; stripe < 8; stripe++) {
      int last = GroupCounters.offset(stripe, GroupCounters.REFUSED_DEAD_LETTERS);
      int nextFirst = GroupCounters.offset(stripe + 1, GroupCounters.RECEIVED);
      assertThat((nextFirst - last) * Long.BYTES).as("bytes between stripe %s's last counter and the next stripe", stripe)
          .isGreaterThanOrEqualTo(64);
    }
    assertThat(GroupCounters.offset(0, GroupCounters.RECEIVED)).as("stripe 0 clear of the array header's line")
        .isGreaterThanOrEqualTo(GroupCounters.STRIDE);
  }

  @Test
  void theWorkerThreadsOfABusGetStripesOfTheirOwn() {
    GroupCounters counters = new GroupCounters();
    Set<Integer> stripes = new HashSet<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      threads.add(new Thread(() -> { }));
    }
    for (Thread thread : threads) {
      stripes.add(counters.stripeOf(thread));
    }
    assertThat(stripes).as("threads created one after another (as a pool does) spread over stripes")
        .hasSize(threads.size());
  }
}
