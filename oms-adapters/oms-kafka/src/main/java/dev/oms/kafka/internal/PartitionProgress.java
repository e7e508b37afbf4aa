package dev.oms.kafka.internal;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One assigned partition of a consumer group: its records in flight in offset order, the offset
 * that may be committed (the first one not settled), and the <em>dispatched mark</em>, the highest
 * offset this group ever handed to its handlers as far as this process knows, which travels in the
 * commit's metadata so the partition's next owner knows which records are redeliveries; beside it
 * the <em>head count</em>, how many times the first unsettled record has been delivered, so a
 * record that kills every consumer it reaches counts up across owners and ends in the dead letters
 * instead of looping.
 *
 * <p>The queue and offsets belong to the poll thread. Settlements arrive on other threads: they
 * write the records' volatile flags, which the poll thread reads when it advances, and may
 * <em>hold</em> an order (a retry-later outcome): its later records are not delivered until the
 * poll thread delivers the held one again. A partition given up (revoked, lost) moves to a new
 * epoch: records of the old one still queued are refused before they reach a handler.
 */
final class PartitionProgress {
  /** Commit metadata: {@code oms.dispatched=<offset>[;head=<offset>:<count>]}. */
  static final String MARK_PREFIX = "oms.dispatched=";
  static final String HEAD = ";head=";

  final TopicPartition partition;
  private final ArrayDeque<InFlightRecord> pending = new ArrayDeque<>();
  /** Records of an older epoch were given up. Only the poll thread moves it on. */
  private volatile int epoch;
  /** Orders held after a retry-later: hold key (see KafkaSubscription.holdKey) -> when to deliver its records again (System.nanoTime). */
  final ConcurrentHashMap<String, Long> held = new ConcurrentHashMap<>();
  private long committable = -1;
  private long committed = -1;
  private long committedMark = -1;
  private long dispatchedMark = -1;
  /** From the metadata found at assignment: the first unsettled record then, and its delivery count. */
  private long storedHeadOffset = -1;
  private int storedHeadCount;
  private int committedHeadCount;
  /** Set while the partition is being given up: settlements then wake the poll thread waiting for them. */
  volatile boolean revoking;

  PartitionProgress(TopicPartition partition, OffsetAndMetadata committedOffset) {
    this.partition = partition;
    if (committedOffset != null) {
      committable = committed = committedOffset.offset();
      committedMark = dispatchedMark = parseMark(committedOffset.metadata());
      long[] head = parseHead(committedOffset.metadata());
      if (head != null && head[0] == committed) {
        storedHeadOffset = head[0];
        storedHeadCount = committedHeadCount = (int) head[1];
      }
    }
  }

  static long parseMark(String metadata) {
    if (metadata == null || !metadata.startsWith(MARK_PREFIX)) {
      return -1;
    }
    int end = metadata.indexOf(';', MARK_PREFIX.length());
    try {
      return Long.parseLong(metadata, MARK_PREFIX.length(), end < 0 ? metadata.length() : end, 10);
    } catch (NumberFormatException e) {
      return -1; // written by something else: no redelivery information
    }
  }

  /** {offset, count} of the head part of the metadata, or null. */
  static long[] parseHead(String metadata) {
    int at = metadata == null ? -1 : metadata.indexOf(HEAD);
    int colon = at < 0 ? -1 : metadata.indexOf(':', at);
    if (colon < 0) {
      return null;
    }
    try {
      return new long[] {Long.parseLong(metadata, at + HEAD.length(), colon, 10),
          Long.parseLong(metadata, colon + 1, metadata.length(), 10)};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  // ---- epochs and holds: any thread ----

  int epoch() {
    return epoch;
  }

  /** True when a record of {@code epoch} may still be handed to the runtime. */
  boolean current(int epoch) {
    return this.epoch == epoch;
  }

  /** Poll thread: the partition is given up; records of the epoch so far are refused from now on. */
  void giveUp() {
    epoch++;
  }

  // ---- poll thread ----

  /**
   * The delivery count of a record about to be dispatched: the stored count plus one for the record
   * that was the partition's head when it was assigned, 2 for another the group dispatched before, else 1.
   */
  int deliveryCount(long offset) {
    if (offset == storedHeadOffset && storedHeadCount > 0) {
      return storedHeadCount + 1;
    }
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

  /** What to commit now (offset, mark and head count), or null when none of them moved since the last commit. */
  OffsetAndMetadata toCommit() {
    long offset = firstUnsettled();
    if (offset < 0 || offset < committed) {
      return null;
    }
    InFlightRecord head = pending.peekFirst();
    int headCount = head != null && head.offset == offset && head.record != null && head.started ? head.deliveryCount
        : offset == storedHeadOffset ? storedHeadCount : 0;
    if (offset == committed && dispatchedMark <= committedMark && headCount == committedHeadCount) {
      return null;
    }
    return new OffsetAndMetadata(offset, MARK_PREFIX + Math.max(dispatchedMark, committedMark)
        + (headCount > 0 ? HEAD + offset + ":" + headCount : ""));
  }

  void committed(OffsetAndMetadata offset) {
    committed = Math.max(committed, offset.offset());
    committedMark = Math.max(committedMark, parseMark(offset.metadata()));
    long[] head = parseHead(offset.metadata());
    committedHeadCount = head != null && head[0] == committed ? (int) head[1] : 0;
  }

  /**
   * Poll thread: the records of {@code key} not settled yet, in offset order, when every one of
   * them has its outcome (nothing of the order still runs); null while one is still in progress.
   */
  java.util.List<InFlightRecord> heldRecords(String key) {
    advance();
    java.util.List<InFlightRecord> records = new java.util.ArrayList<>();
    for (InFlightRecord record : pending) {
      if (record.record != null && !record.done && KafkaSubscription.holdKey(record.key()).equals(key)) {
        if (!record.finished) {
          return null;
        }
        records.add(record);
      }
    }
    return records;
  }
}
