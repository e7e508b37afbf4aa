package dev.oms.kafka.internal;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A record taken from Kafka and not yet finished; its offset is committable once it and all before it are done. */
final class InFlightRecord {
  final int partition;
  final long offset;
  /** As fetched: its headers are read on the lane that handles it, not on the poll thread. */
  final ConsumerRecord<String, byte[]> record;
  /** Written by the lane that handled it, read by the poll thread. */
  volatile boolean done;

  InFlightRecord(int partition, long offset, ConsumerRecord<String, byte[]> record) {
    this.partition = partition;
    this.offset = offset;
    this.record = record;
  }
}
