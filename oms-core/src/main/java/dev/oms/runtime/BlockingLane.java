package dev.oms.runtime;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One group's share of the blocking pool: at most {@code limit} of its steps run at once (the
 * group's concurrency), the rest wait in order. So a slow port of one group never takes the
 * threads another group's blocking handlers need, and none of them takes a core-count worker.
 */
final class BlockingLane implements Executor {
  private final Executor pool;
  private final int limit;
  private final AtomicInteger running = new AtomicInteger();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  BlockingLane(Executor pool, int limit) {
    this.pool = pool;
    this.limit = limit;
  }

  @Override
  public void execute(Runnable step) {
    waiting.add(step);
    drain();
  }

  private void drain() {
    while (!waiting.isEmpty()) {
      int now = running.get();
      if (now >= limit) {
        return; // a running step takes the next one when it ends
      }
      if (running.compareAndSet(now, now + 1)) {
        Runnable next = waiting.poll();
        if (next == null) {
          running.decrementAndGet();
          continue;
        }
        try {
          pool.execute(() -> runThenNext(next));
        } catch (RejectedExecutionException e) {
          running.decrementAndGet();
          throw e;
        }
      }
    }
  }

  private void runThenNext(Runnable step) {
    try {
      step.run();
    } finally {
      running.decrementAndGet();
      drain();
    }
  }
}
