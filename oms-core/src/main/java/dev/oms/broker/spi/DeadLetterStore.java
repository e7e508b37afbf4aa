package dev.oms.broker.spi;

import java.util.List;
import java.util.Optional;

/**
 * Where dead letters, and the records parked behind them, are kept until redriven or discarded:
 * the <em>blocking state</em> of every consumer group. An order is blocked in a group while the
 * store holds any entry of that group and order; its later records are parked behind them, so an
 * order's events are never handled out of order around a failure.
 *
 * <p>Every process running a group must see the same blocking state, or a dead letter made in one
 * process would not hold back that order's later events in another: a store shared by several
 * processes (Kafka's compacted topic, a database) keeps each process's view current and catches up
 * in {@link #refresh()}. The in-memory store is for one process.
 *
 * <p>Implementations are thread-safe, keep insertion order within a group (and so within a group
 * and order), answer {@link #isBlocked} without scanning (it runs for every delivery), and are
 * bounded: {@link #add} and {@link #park} refuse with an {@link dev.oms.OmsException} of kind
 * {@code DEAD_LETTERS_FULL} when the stated bound is reached, never dropping an entry. The broker
 * kit's {@code DeadLetterStoreCompatibilityKit} checks all of this.
 */
public interface DeadLetterStore {

  /**
   * Stores a dead letter (a failure, or with {@code parkedBehind} set, a parked record). Throws an
   * {@link dev.oms.OmsException} ({@code DEAD_LETTERS_FULL}, {@code BROKER_UNAVAILABLE}...) when it
   * cannot be stored; nothing is stored then.
   */
  void add(DeadLetter deadLetter);

  /**
   * Stores a record parked behind its order's entries in its group, atomically with the check that
   * the order is still blocked there; returns false, storing nothing, when it is not (the order was
   * released meanwhile and the record should be handled normally).
   */
  boolean park(DeadLetter parked);

  Optional<DeadLetter> get(String id);

  /** Replaces a stored entry with the same id (after a failed redrive); no-op when it is gone. */
  void update(DeadLetter deadLetter);

  boolean remove(String id);

  /** Every stored entry, in insertion order. */
  List<DeadLetter> list();

  /** The entries of one group, in insertion order, without reading the others. */
  List<DeadLetter> list(String group);

  /** The entries of one order in one group, oldest first: empty when the order is not blocked there. */
  List<DeadLetter> blocking(String group, String key);

  /** Whether the order has entries in the group. Cheap: called for every delivery. */
  boolean isBlocked(String group, String key);

  /**
   * Catches up with entries other processes added or removed, returning once this process's view
   * includes every change made before the call. A no-op for a store used by one process.
   */
  default void refresh() {}
}
