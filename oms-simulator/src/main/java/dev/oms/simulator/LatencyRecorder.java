package dev.oms.simulator;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A latency distribution recorded from any number of threads without locks (an HdrHistogram
 * {@link Recorder}: wait-free writers). Values are nanoseconds at three significant digits, so
 * sub-microsecond checkout acknowledgements and multi-second stalls are both measured precisely;
 * the range grows as needed.
 */
final class LatencyRecorder {
  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(3);
  private Histogram interval;

  /** Records one latency; negative values (clock quirks) count as zero. */
  void record(long nanos) {
    recorder.recordValue(Math.max(0, nanos));
  }

  /** What was recorded since the previous call (or the start). For one reader thread at a time. */
  synchronized Histogram interval() {
    interval = recorder.getIntervalHistogram(interval);
    total.add(interval);
    return interval.copy();
  }

  /** Everything recorded so far. */
  synchronized Histogram total() {
    interval();
    return total.copy();
  }
}
