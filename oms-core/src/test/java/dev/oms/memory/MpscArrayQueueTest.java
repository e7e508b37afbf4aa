package dev.oms.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The lanes' bounded many-producer, one-consumer queue. */
class MpscArrayQueueTest {

  @Test
  void aSingleThreadGetsElementsBackInFifoOrder() {
    MpscArrayQueue<String> queue = new MpscArrayQueue<>(8);

    assertThat(queue.offer("a")).isTrue();
    assertThat(queue.offer("b")).isTrue();
    assertThat(queue.offer("c")).isTrue();

    assertThat(queue.size()).isEqualTo(3);
    assertThat(queue.poll()).isEqualTo("a");
    assertThat(queue.poll()).isEqualTo("b");
    assertThat(queue.poll()).isEqualTo("c");
    assertThat(queue.poll()).isNull();
    assertThat(queue.isEmpty()).isTrue();
    assertThat(queue.size()).isZero();
  }

  @Test
  void anEmptyQueuePollsNull() {
    MpscArrayQueue<Integer> queue = new MpscArrayQueue<>(4);

    assertThat(queue.poll()).isNull();
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void capacityIsRoundedUpToAPowerOfTwo() {
    assertThat(new MpscArrayQueue<>(1).capacity()).isEqualTo(1);
    assertThat(new MpscArrayQueue<>(2).capacity()).isEqualTo(2);
    assertThat(new MpscArrayQueue<>(5).capacity()).isEqualTo(8);
    assertThat(new MpscArrayQueue<>(64).capacity()).isEqualTo(64);
    assertThat(new MpscArrayQueue<>(65).capacity()).isEqualTo(128);
    assertThat(new MpscArrayQueue<>(0).capacity()).isEqualTo(1);
  }

  @Test
  void aFullQueueRefusesOffersUntilAnElementIsPolled() {
    MpscArrayQueue<Integer> queue = new MpscArrayQueue<>(5); // rounded to 8
    for (int i = 0; i < 8; i++) {
      assertThat(queue.offer(i)).as("offer %d", i).isTrue();
    }

    assertThat(queue.offer(8)).isFalse();
    assertThat(queue.size()).isEqualTo(8);

    assertThat(queue.poll()).isZero();
    assertThat(queue.offer(8)).isTrue();
    assertThat(queue.offer(9)).isFalse();
    for (int i = 1; i <= 8; i++) {
      assertThat(queue.poll()).isEqualTo(i);
    }
    assertThat(queue.poll()).isNull();
  }

  @Test
  void fifoOrderHoldsAcrossManyWrapArounds() {
    MpscArrayQueue<Integer> queue = new MpscArrayQueue<>(4);
    int next = 0;
    int expected = 0;
    for (int round = 0; round < 10_000; round++) {
      int batch = 1 + round % 4;
      for (int i = 0; i < batch; i++) {
        assertThat(queue.offer(next++)).isTrue();
      }
      for (int i = 0; i < batch; i++) {
        assertThat(queue.poll()).isEqualTo(expected++);
      }
    }
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void fourProducersAndOneConsumerLoseNothingDuplicateNothingAndKeepEachProducersOrder() throws Exception {
    int producers = 4;
    int perProducer = 250_000;
    MpscArrayQueue<Long> queue = new MpscArrayQueue<>(1024);
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      long producer = p;
      Thread t = new Thread(() -> {
        try {
          start.await();
          for (long seq = 0; seq < perProducer; seq++) {
            Long element = (producer << 32) | seq;
            while (!queue.offer(element)) {
              Thread.yield();
            }
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "producer-" + p);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }

    long[] nextSeq = new long[producers];
    long received = 0;
    long total = (long) producers * perProducer;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    start.countDown();
    while (received < total) {
      Long element = queue.poll();
      if (element == null) {
        assertThat(System.nanoTime() - deadline).as("consumer timed out after %d elements", received).isNegative();
        Thread.yield();
        continue;
      }
      int producer = (int) (element >>> 32);
      long seq = element & 0xffffffffL;
      if (seq != nextSeq[producer]) {
        throw new AssertionError("producer " + producer + ": expected element " + nextSeq[producer] + " but got "
            + seq + " (lost, duplicated or reordered)");
      }
      nextSeq[producer]++;
      received++;
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(5));
    }

    assertThat(failure.get()).isNull();
    assertThat(nextSeq).containsOnly(perProducer);
    assertThat(queue.poll()).isNull();
    assertThat(queue.isEmpty()).isTrue();
  }
}
