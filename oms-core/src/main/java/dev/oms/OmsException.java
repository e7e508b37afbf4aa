package dev.oms;

import java.util.Objects;

/**
 * The one unchecked exception OMS throws. {@link #kind()} says what went wrong in a way code can
 * branch on; the message says what was wrong and what to do about it.
 */
public class OmsException extends RuntimeException {

  /** Why an operation failed. */
  public enum Kind {
    /** An event broke a rule of its type (missing field, negative amount, raw card number...). */
    INVALID_EVENT,
    /** Bytes that are not a well-formed CloudEvents JSON object. */
    MALFORMED_EVENT,
    /** A CloudEvents {@code type} (or schema version) no registered event type answers to. */
    UNKNOWN_EVENT_TYPE,
    /** An encoded event larger than the configured size limit. */
    OVERSIZED_EVENT,
    /** The broker is full and the backpressure policy refused to wait (or waited too long). */
    BACKPRESSURE,
    /** An operation did not complete in time. */
    TIMEOUT,
    /** The broker could not be reached or refused the operation. */
    BROKER_UNAVAILABLE,
    /** The bus or broker was already closed. */
    CLOSED,
    /** A configuration value or a wiring mistake (for example two groups with one name). */
    CONFIGURATION,
    /** Something asked for by id (a dead letter, a consumer group) does not exist. */
    NOT_FOUND,
    /** A caller's request was refused by a service's business rules (for example an empty order). */
    REJECTED,
    /**
     * The dead-letter store reached its stated bound: a new failure is refused to its publisher, or
     * left on the broker to be delivered again, never dropped. Redrive or discard dead letters.
     */
    DEAD_LETTERS_FULL
  }

  private final Kind kind;

  public OmsException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public OmsException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public String toString() {
    return "OmsException[" + kind + "]: " + getMessage();
  }
}
