package dev.oms.internal;

import dev.oms.OmsException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Completion stages without per-event allocation on the success path, and waits that never starve a pool. */
public final class Stages {
  private Stages() {}

  /** The one completed stage every successful in-process send returns. */
  public static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

  public static CompletionStage<Void> failed(Throwable error) {
    return CompletableFuture.failedFuture(error);
  }

  /**
   * Waits for {@code stage} and rethrows its failure as is (an {@link OmsException} keeps its
   * kind). Uses {@link ForkJoinPool#managedBlock} so a waiting pool thread gets a stand-in.
   */
  public static void await(CompletionStage<?> stage, Duration timeout) throws Exception {
    if (stage == DONE) {
      return;
    }
    CompletableFuture<?> future = stage.toCompletableFuture();
    if (!future.isDone()) {
      long deadline = System.nanoTime() + timeout.toNanos();
      ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
        @Override
        public boolean block() throws InterruptedException {
          long left = deadline - System.nanoTime();
          if (left > 0) {
            try {
              future.get(left, TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException | CompletionException ignored) {
              // examined below
            }
          }
          return true;
        }

        @Override
        public boolean isReleasable() {
          return future.isDone();
        }
      });
      if (!future.isDone()) {
        throw new OmsException(OmsException.Kind.TIMEOUT, "the broker did not accept the event within " + timeout);
      }
    }
    try {
      future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  /** Sleeps without starving a fork-join pool. */
  public static void sleep(long millis) throws InterruptedException {
    if (millis <= 0) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
      @Override
      public boolean block() throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          TimeUnit.NANOSECONDS.sleep(left);
        }
        return isReleasable();
      }

      @Override
      public boolean isReleasable() {
        return System.nanoTime() - deadline >= 0;
      }
    });
  }
}
