package dev.oms.kafka.internal;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record taken from Kafka and not yet settled; its offset is committable once it and every record
 * before it in its partition are settled. Created on the poll thread; {@link #started},
 * {@link #settled} and {@link #done} are written on whichever thread hands it to the runtime or
 * completes its outcome, and read by the poll thread.
 */
final class InFlightRecord {
  final PartitionProgress partition;
  final long offset;
  /** The partition's epoch when it was fetched: a record of an older epoch was given up (revoked, lost). */
  final int epoch;
  /**
   * 1 for a first delivery, 2 when this group had dispatched the offset before (a crash, a
   * rebalance) or this process delivers it again after a retry-later. Written by the poll thread
   * before it submits the record.
   */
  int deliveryCount;
  /** As fetched: its headers are mapped on the worker that delivers it, not on the poll thread; null when skipped. */
  final ConsumerRecord<String, byte[]> record;
  /** Handed to the runtime (the lane took it). */
  volatile boolean started;
  /** Its outcome came, whatever it was (settled, retry-later, given up); or it waits, not submitted, behind its order's held record. */
  volatile boolean finished;
  /** Settled: it may be committed past. */
  volatile boolean done;

  InFlightRecord(PartitionProgress partition, long offset, int epoch, int deliveryCount,
      ConsumerRecord<String, byte[]> record) {
    this.partition = partition;
    this.offset = offset;
    this.epoch = epoch;
    this.deliveryCount = deliveryCount;
    this.record = record;
  }

  String key() {
    return record.key();
  }

  /** A record the group does not handle (another type): settled as soon as it is read. */
  static InFlightRecord skipped(PartitionProgress partition, long offset) {
    InFlightRecord skipped = new InFlightRecord(partition, offset, -1, 0, null);
    skipped.finished = true;
    skipped.done = true;
    return skipped;
  }
}
