package dev.oms.broker.spi;

import java.util.List;
import java.util.Optional;

/**
 * Where dead letters (and records parked behind them) are kept until redriven or discarded. The
 * bus uses an in-memory store by default; durable stores plug in here.
 *
 * <p>Implementations must be thread-safe and keep insertion order within a group and key.
 */
public interface DeadLetterStore {

  void add(DeadLetter deadLetter);

  Optional<DeadLetter> get(String id);

  /** Replaces a stored dead letter with the same id (for example after a failed redrive). */
  void update(DeadLetter deadLetter);

  /** Every stored entry, in insertion order. */
  List<DeadLetter> list();

  boolean remove(String id);
}
