package dev.oms.kafka.internal;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One assigned partition of a consumer group: its records in flight in offset order, the offset
 * that may be committed (the first one not settled), and the <em>dispatched mark</em>, the highest
 * offset this group ever handed to its handlers as far as this process knows, which travels in the
 * commit's metadata so the partition's next owner knows which records are redeliveries.
 *
 * <p>The queue and offsets belong to the poll thread. Settlements arrive on other threads: they
 * write the records' volatile flags, which the poll thread reads when it advances, and may
 * <em>halt</em> the partition (a retry-later outcome): the epoch moves on at once, so records of
 * the old epoch still queued are refused before they reach a handler, and the poll thread fetches
 * nothing more for it until it rewound the partition.
 */
final class PartitionProgress {
  /** Commit metadata: {@code oms.dispatched=<offset>}. */
  static final String MARK_PREFIX = "oms.dispatched=";

  final TopicPartition partition;
  private final ArrayDeque<InFlightRecord> pending = new ArrayDeque<>();
  /** epoch << 1 | halted. Only a CAS from a running epoch halts; only the poll thread un-halts. */
  private final AtomicLong state = new AtomicLong();
  private long committable = -1;
  private long committed = -1;
  private long committedMark = -1;
  private long dispatchedMark = -1;
  /** Set while the partition is being given up: settlements then wake the poll thread waiting for them. */
  volatile boolean revoking;
  /** Poll thread: when a rewound partition may be fetched again (System.nanoTime), 0 for now. */
  long resumeAtNanos;

  PartitionProgress(TopicPartition partition, OffsetAndMetadata committedOffset) {
    this.partition = partition;
    if (committedOffset != null) {
      committable = committed = committedOffset.offset();
      committedMark = dispatchedMark = parseMark(committedOffset.metadata());
    }
  }

  static long parseMark(String metadata) {
    if (metadata == null || !metadata.startsWith(MARK_PREFIX)) {
      return -1;
    }
    try {
      return Long.parseLong(metadata, MARK_PREFIX.length(), metadata.length(), 10);
    } catch (NumberFormatException e) {
      return -1; // written by something else: no redelivery information
    }
  }

  // ---- epochs: any thread ----

  int epoch() {
    return (int) (state.get() >>> 1);
  }

  boolean halted() {
    return (state.get() & 1) != 0;
  }

  /** True when a record of {@code epoch} may still be handed to the runtime. */
  boolean current(int epoch) {
    return state.get() == (long) epoch << 1;
  }

  /** A record of {@code epoch} came back retry-later: halts the partition; true for the first such record. */
  boolean halt(int epoch) {
    long running = (long) epoch << 1;
    return state.compareAndSet(running, ((long) (epoch + 1) << 1) | 1);
  }

  /** Poll thread: halts the partition whatever its state (it is being given up). */
  void haltNow() {
    long s = state.get();
    state.set(((s >>> 1) + 1) << 1 | 1);
  }

  // ---- poll thread ----

  /** The delivery count of a record about to be dispatched: 2 when the group dispatched it before. */
  int deliveryCount(long offset) {
    return offset <= dispatchedMark ? 2 : 1;
  }

  void dispatched(InFlightRecord record) {
    pending.addLast(record);
    if (record.offset > dispatchedMark) {
      dispatchedMark = record.offset;
    }
  }

  void skip(long offset) {
    if (pending.isEmpty()) {
      committable = offset + 1;
    } else {
      pending.addLast(InFlightRecord.skipped(this, offset));
    }
  }

  /** Moves the committable offset past every settled record at the head. */
  void advance() {
    InFlightRecord head;
    while ((head = pending.peekFirst()) != null && head.done) {
      committable = head.offset + 1;
      pending.pollFirst();
    }
  }

  /** True while a record of the partition has no outcome yet. */
  boolean unfinished() {
    advance();
    for (InFlightRecord record : pending) {
      if (!record.finished) {
        return true;
      }
    }
    return false;
  }

  boolean hasPending() {
    advance();
    return !pending.isEmpty();
  }

  /** The first offset not settled (where a new owner or a rewind starts), or -1 when unknown. */
  long firstUnsettled() {
    advance();
    InFlightRecord head = pending.peekFirst();
    return head != null ? head.offset : committable;
  }

  /** What to commit now (offset and mark), or null when neither moved since the last commit. */
  OffsetAndMetadata toCommit() {
    long offset = firstUnsettled();
    if (offset < 0 || offset < committed || (offset == committed && dispatchedMark <= committedMark)) {
      return null;
    }
    return new OffsetAndMetadata(offset, MARK_PREFIX + Math.max(dispatchedMark, committedMark));
  }

  void committed(OffsetAndMetadata offset) {
    committed = Math.max(committed, offset.offset());
    committedMark = Math.max(committedMark, parseMark(offset.metadata()));
  }

  /**
   * Poll thread, after every record of the old epoch was given up: forgets the records in flight
   * and returns the offset to seek to (the first one not settled); the partition runs again in a
   * new epoch.
   */
  long rewind() {
    long seekTo = firstUnsettled();
    pending.clear();
    if (seekTo >= 0) {
      committable = Math.max(committable, seekTo);
    }
    long s = state.get();
    long epoch = (s & 1) != 0 ? s >>> 1 : (s >>> 1) + 1; // a halted partition already moved on
    state.set(epoch << 1); // running again, in the new epoch
    return seekTo;
  }
}
