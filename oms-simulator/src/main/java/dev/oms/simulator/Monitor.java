package dev.oms.simulator;

import dev.oms.Oms;
import dev.oms.broker.GroupMetrics;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Samples the run at a fixed interval (arrivals, acknowledgements, finished orders, backlog per
 * consumer group, latency percentiles of the interval) for the report, and prints progress: a live
 * line rewritten in place on a terminal, plain periodic lines otherwise, nothing when quiet.
 */
final class Monitor implements AutoCloseable {
  /** One sample; latencies in milliseconds of the orders acknowledged / finished during the interval. */
  record Sample(double t, double scheduled, long arrivals, long accepted, long completed, long backlog,
      long[] groupBacklog, double[] ack, double[] endToEnd, long finishedInInterval) {}

  private final Oms oms;
  private final RunClock clock;
  private final java.util.function.DoubleUnaryOperator scheduled;
  private final LongSupplier arrivals;
  private final LongSupplier accepted;
  private final LongSupplier completed;
  private final LatencyRecorder ack;
  private final LatencyRecorder endToEnd;
  private final PrintWriter out;
  private final boolean live;
  private final List<String> groups = new ArrayList<>();
  private final List<Sample> samples = new ArrayList<>();
  private final ScheduledExecutorService timer;
  private final long intervalNanos;
  private final long printEveryNanos;
  private long lastPrint;
  private long lastPrintArrivals;
  private long lastPrintCompleted;
  private volatile boolean arrivalsDone;
  private long maxBacklog;
  private boolean printedLive;

  /**
   * @param scheduled arrivals the schedule intends by a number of seconds into the run
   */
  Monitor(Oms oms, RunClock clock, java.util.function.DoubleUnaryOperator scheduled, LongSupplier arrivals, LongSupplier accepted, LongSupplier completed,
      LatencyRecorder ack, LatencyRecorder endToEnd, PrintWriter out, boolean live) {
    this.oms = oms;
    this.clock = clock;
    this.scheduled = scheduled;
    this.arrivals = arrivals;
    this.accepted = accepted;
    this.completed = completed;
    this.ack = ack;
    this.endToEnd = endToEnd;
    this.out = out;
    this.live = live;
    for (GroupMetrics m : oms.metrics()) {
      groups.add(m.group());
    }
    double wall = clock.wallNanos();
    // At least 250 ms: each sample copies and reads two latency histograms, which costs the run CPU.
    this.intervalNanos = Math.max(250_000_000L, Math.min(1_000_000_000L, (long) (wall / 200)));
    this.printEveryNanos = live ? 500_000_000L : 2_000_000_000L;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "simulator-monitor");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    lastPrint = System.nanoTime();
    timer.scheduleWithFixedDelay(this::tick, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
  }

  void arrivalsDone() {
    arrivalsDone = true;
  }

  List<String> groups() {
    return groups;
  }

  private void tick() {
    try {
      sample();
      long now = System.nanoTime();
      if (out != null && now - lastPrint >= printEveryNanos) {
        print(now);
      }
    } catch (RuntimeException e) {
      // a failed sample must not stop sampling
    }
  }

  private synchronized void sample() {
    long[] backlog = new long[groups.size()];
    long total = 0;
    for (GroupMetrics m : oms.metrics()) {
      int i = groups.indexOf(m.group());
      if (i >= 0) {
        backlog[i] = Math.max(0, m.backlog()) + m.inFlight();
        total += backlog[i];
      }
    }
    maxBacklog = Math.max(maxBacklog, total);
    Histogram a = ack.interval();
    Histogram e = endToEnd.interval();
    double t = clock.seconds(System.nanoTime());
    samples.add(new Sample(t, scheduled.applyAsDouble(t), arrivals.getAsLong(), accepted.getAsLong(),
        completed.getAsLong(), total, backlog, percentiles(a), percentiles(e), e.getTotalCount()));
  }

  private static double[] percentiles(Histogram h) {
    if (h.getTotalCount() == 0) {
      return null;
    }
    return new double[] {h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
        h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6};
  }

  private void print(long now) {
    double seconds = (now - lastPrint) / 1e9;
    long a = arrivals.getAsLong();
    long c = completed.getAsLong();
    double arrivalRate = (a - lastPrintArrivals) / seconds;
    double doneRate = (c - lastPrintCompleted) / seconds;
    lastPrint = now;
    lastPrintArrivals = a;
    lastPrintCompleted = c;
    long backlog = latestBacklog();
    double elapsed = clock.seconds(now);
    String eta;
    if (!arrivalsDone) {
      eta = "ETA " + eta(clock.wallNanos() / 1e9 - elapsed);
    } else {
      long pending = a - c;
      eta = doneRate > 0 ? "draining, ETA " + eta(pending / doneRate) : "draining";
    }
    String line = String.format(Locale.US, "[%6.1fs] %3.0f%%  arrivals %,d (%,.0f/s)  done %,d (%,.0f/s)  backlog %,d  %s",
        elapsed, Math.min(100, 100 * elapsed * 1e9 / clock.wallNanos()), a, arrivalRate, c, doneRate, backlog, eta);
    if (live) {
      out.print("\r" + line + "\u001b[K");
      printedLive = true;
    } else {
      out.println(line);
    }
    out.flush();
  }

  static String eta(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return s >= 60 ? String.format(Locale.US, "%dm%02ds", s / 60, s % 60) : s + "s";
  }

  private synchronized long latestBacklog() {
    return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).backlog();
  }

  synchronized long maxBacklog() {
    return maxBacklog;
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Stops sampling after one last sample, and ends the live line. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
    if (out != null && live && printedLive) {
      out.print("\r\u001b[K");
      out.flush();
    }
  }
}
