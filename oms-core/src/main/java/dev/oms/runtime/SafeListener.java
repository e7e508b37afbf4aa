package dev.oms.runtime;

import dev.oms.broker.DeliveryListener;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.OrderEvent;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's {@link DeliveryListener} behind a wall: a listener that throws (a metrics backend down)
 * never changes what happens to a record. Its failures are counted and logged, the first one and
 * then one in every thousand, so a broken listener cannot flood the log either.
 */
public final class SafeListener implements DeliveryListener {
  private static final Logger log = LoggerFactory.getLogger(SafeListener.class);

  private final DeliveryListener delegate;
  private final AtomicLong failures = new AtomicLong();

  private SafeListener(DeliveryListener delegate) {
    this.delegate = delegate;
  }

  /** {@code listener} behind the wall (NONE stays NONE, so nothing is timed for nobody). */
  public static DeliveryListener wrap(DeliveryListener listener) {
    if (listener == null || listener == DeliveryListener.NONE) {
      return DeliveryListener.NONE;
    }
    return listener instanceof SafeListener ? listener : new SafeListener(listener);
  }

  /** How many listener calls threw. */
  public long failures() {
    return failures.get();
  }

  private void failed(String hook, RuntimeException e) {
    long n = failures.incrementAndGet();
    if (n == 1 || n % 1000 == 0) {
      log.warn("DeliveryListener.{} threw ({} listener failures so far); delivery goes on unaffected: {}", hook, n,
          e.toString());
    }
  }

  @Override
  public void onHandled(String group, OrderEvent event, int attempt, long nanos) {
    try {
      delegate.onHandled(group, event, attempt, nanos);
    } catch (RuntimeException e) {
      failed("onHandled", e);
    }
  }

  @Override
  public void onRetry(String group, OrderEvent event, int attempt, Throwable error) {
    try {
      delegate.onRetry(group, event, attempt, error);
    } catch (RuntimeException e) {
      failed("onRetry", e);
    }
  }

  @Override
  public void onDeadLettered(DeadLetter deadLetter) {
    try {
      delegate.onDeadLettered(deadLetter);
    } catch (RuntimeException e) {
      failed("onDeadLettered", e);
    }
  }

  @Override
  public void onParked(DeadLetter parked) {
    try {
      delegate.onParked(parked);
    } catch (RuntimeException e) {
      failed("onParked", e);
    }
  }

  @Override
  public void onDuplicate(String group, OrderEvent event) {
    try {
      delegate.onDuplicate(group, event);
    } catch (RuntimeException e) {
      failed("onDuplicate", e);
    }
  }

  @Override
  public void onRetryLater(String group, String eventId, Throwable cause) {
    try {
      delegate.onRetryLater(group, eventId, cause);
    } catch (RuntimeException e) {
      failed("onRetryLater", e);
    }
  }

  @Override
  public void onDeadLetterRefused(String group, String eventId, Throwable cause) {
    try {
      delegate.onDeadLetterRefused(group, eventId, cause);
    } catch (RuntimeException e) {
      failed("onDeadLetterRefused", e);
    }
  }
}
