package dev.oms.memory;

/** What a send does when a consumer group's queue is full. */
public enum BackpressurePolicy {
  /** Wait for room, up to the configured timeout, then fail with {@code BACKPRESSURE}. */
  BLOCK,
  /** Fail at once with {@code BACKPRESSURE}; the caller decides (retry, shed load, answer 503). */
  FAIL_FAST
}
