package dev.oms.simulator;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Prints one progress line a second (placed, terminal, backlog) until closed. */
final class ProgressReporter implements AutoCloseable {
  private final ScheduledExecutorService timer;

  private ProgressReporter(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** Starts reporting to {@code out}; with a null {@code out}, reports nothing. */
  static ProgressReporter start(PrintWriter out, LongSupplier placed, LongSupplier terminal, LongSupplier backlog) {
    if (out == null) {
      return new ProgressReporter(null);
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "simulator-progress");
      t.setDaemon(true);
      return t;
    });
    long start = System.nanoTime();
    timer.scheduleAtFixedRate(() -> {
      double seconds = (System.nanoTime() - start) / 1e9;
      out.println(String.format(Locale.US, "[%6.1f s] placed %,d  terminal %,d  backlog %,d", seconds,
          placed.getAsLong(), terminal.getAsLong(), backlog.getAsLong()));
      out.flush();
    }, 1, 1, TimeUnit.SECONDS);
    return new ProgressReporter(timer);
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
      try {
        timer.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
