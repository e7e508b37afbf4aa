package dev.oms.runtime;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of one event bus, each started on first use: the workers (one per core, for
 * non-blocking steps: decoding, handlers, continuations after acknowledgements); the blocking
 * pool (for handlers and units of work declared blocking, each group limited to its concurrency);
 * and one timer thread that only hands due retries to the workers. Nothing here sleeps waiting for
 * the network.
 */
public final class RuntimeThreads {
  private static final Logger log = LoggerFactory.getLogger(RuntimeThreads.class);
  private static final AtomicInteger BUSES = new AtomicInteger();

  private final int bus = BUSES.incrementAndGet();
  private final int workerCount;
  private volatile ForkJoinPool workers;
  private volatile ExecutorService blocking;
  private volatile ScheduledThreadPoolExecutor timer;
  private volatile boolean shutdown;

  public RuntimeThreads(int workerCount) {
    this.workerCount = workerCount;
  }

  /** The core-count workers. */
  public Executor workers() {
    ForkJoinPool pool = workers;
    if (pool == null) {
      synchronized (this) {
        if ((pool = workers) == null) {
          AtomicInteger ids = new AtomicInteger();
          workers = pool = new ForkJoinPool(workerCount, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("oms-worker-" + bus + "-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
          }, (t, e) -> log.error("uncaught failure on {}", t.getName(), e), true);
        }
      }
    }
    return pool;
  }

  /** The blocking pool: threads made on demand, idle ones leave after a minute; groups bound their share. */
  Executor blocking() {
    ExecutorService pool = blocking;
    if (pool == null) {
      synchronized (this) {
        if ((pool = blocking) == null) {
          AtomicInteger ids = new AtomicInteger();
          ThreadPoolExecutor tpe = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
              new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "oms-blocking-" + bus + "-" + ids.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
          blocking = pool = tpe;
        }
      }
    }
    return pool;
  }

  /** The timer: schedules hand-offs only; never runs a handler itself. */
  ScheduledExecutorService timer() {
    ScheduledThreadPoolExecutor t = timer;
    if (t == null) {
      synchronized (this) {
        if ((t = timer) == null) {
          t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "oms-timer-" + bus);
            thread.setDaemon(true);
            return thread;
          });
          t.setRemoveOnCancelPolicy(true);
          timer = t;
        }
      }
    }
    return t;
  }

  boolean isShutdown() {
    return shutdown;
  }

  /** Stops every thread; work still queued is abandoned (the bus settled it as retry-later first). */
  public synchronized void shutdown() {
    shutdown = true;
    if (timer != null) {
      timer.shutdownNow();
    }
    if (workers != null) {
      workers.shutdown();
    }
    if (blocking != null) {
      blocking.shutdown();
    }
  }

  /** Unused thread pools are never started: the figure for tests and diagnostics. */
  boolean started() {
    return workers != null || blocking != null || timer != null;
  }
}
