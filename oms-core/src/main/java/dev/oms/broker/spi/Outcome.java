package dev.oms.broker.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * How the delivery runtime finished with one delivered record: what the stage returned by
 * {@link RecordHandler#deliver} completes with. Every kind but {@link Kind#RETRY_LATER} is
 * <em>settled</em>: the adapter acknowledges the record (commit, ack, delete, no batch item
 * failure). {@code RETRY_LATER} means the record had no lasting effect that must be kept, and the
 * broker must deliver it again, no sooner than {@link #retryAfter()}: the adapter does not
 * acknowledge it (a negative acknowledgement, a visibility change, a batch item failure, or simply
 * no commit past it).
 *
 * <p>The settled kinds are shared constants, so a delivery that completes allocates no outcome.
 */
public final class Outcome {

  /** The kinds of outcome. */
  public enum Kind {
    /** The handler ran and its follow-on events were accepted (or staged by the unit of work). */
    HANDLED,
    /** The group had already handled this event id within its idempotency reach: skipped. */
    DUPLICATE,
    /** The record's order is blocked behind a dead letter in this group: stored, parked behind it. */
    PARKED,
    /** The record failed (undecodable, unknown, or its handler kept failing): stored as a dead letter. */
    DEAD_LETTERED,
    /** Not settled: deliver it again later (see {@link Outcome#retryAfter()} and {@link Outcome#cause()}). */
    RETRY_LATER
  }

  public static final Outcome HANDLED = new Outcome(Kind.HANDLED, Duration.ZERO, null);
  public static final Outcome DUPLICATE = new Outcome(Kind.DUPLICATE, Duration.ZERO, null);
  public static final Outcome PARKED = new Outcome(Kind.PARKED, Duration.ZERO, null);
  public static final Outcome DEAD_LETTERED = new Outcome(Kind.DEAD_LETTERED, Duration.ZERO, null);

  private final Kind kind;
  private final Duration retryAfter;
  private final Throwable cause;

  private Outcome(Kind kind, Duration retryAfter, Throwable cause) {
    this.kind = kind;
    this.retryAfter = retryAfter;
    this.cause = cause;
  }

  /**
   * Deliver again, no sooner than {@code after}.
   *
   * @param cause why (a broker outage while publishing follow-on events, a full dead-letter store,
   *     a deadline, a shutdown, a handler failure left to the broker's own redelivery); may be null
   */
  public static Outcome retryLater(Duration after, Throwable cause) {
    Objects.requireNonNull(after, "after");
    return new Outcome(Kind.RETRY_LATER, after.isNegative() ? Duration.ZERO : after, cause);
  }

  public Kind kind() {
    return kind;
  }

  /** True for every kind but {@link Kind#RETRY_LATER}: the adapter acknowledges the record. */
  public boolean isSettled() {
    return kind != Kind.RETRY_LATER;
  }

  /** For {@link Kind#RETRY_LATER}: the earliest sensible redelivery; zero otherwise. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** For {@link Kind#RETRY_LATER}: why, or null. */
  public Throwable cause() {
    return cause;
  }

  @Override
  public String toString() {
    return kind == Kind.RETRY_LATER
        ? "RETRY_LATER(after " + retryAfter.toMillis() + " ms" + (cause == null ? "" : ": " + cause) + ")"
        : kind.name();
  }
}
