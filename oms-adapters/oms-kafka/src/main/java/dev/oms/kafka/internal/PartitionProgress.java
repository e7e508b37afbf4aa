package dev.oms.kafka.internal;

import java.util.ArrayDeque;

/**
 * The records of one partition in flight, in offset order, and the offset that may be committed:
 * the one after the longest finished prefix. Lanes finish records out of order (different keys);
 * a commit never passes a record that is not finished. Used by the poll thread only.
 */
final class PartitionProgress {
  private final ArrayDeque<InFlightRecord> pending = new ArrayDeque<>();
  private long committable = -1;
  private long committed = -1;

  void add(InFlightRecord record) {
    pending.addLast(record);
  }

  /** A record the group skips (a type it does not handle) is finished as soon as it is read. */
  void skip(long offset) {
    if (pending.isEmpty()) {
      committable = offset + 1;
    } else {
      InFlightRecord skipped = new InFlightRecord(-1, offset, null);
      skipped.done = true;
      pending.addLast(skipped);
    }
  }

  /** Moves the committable offset past every finished record at the head. */
  void advance() {
    InFlightRecord head;
    while ((head = pending.peekFirst()) != null && head.done) {
      committable = head.offset + 1;
      pending.pollFirst();
    }
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  /** The offset to commit, or -1 when nothing new finished since the last commit. */
  long toCommit() {
    return committable > committed ? committable : -1;
  }

  void committed(long offset) {
    committed = Math.max(committed, offset);
  }
}
