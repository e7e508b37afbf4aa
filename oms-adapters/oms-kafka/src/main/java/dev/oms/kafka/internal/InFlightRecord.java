package dev.oms.kafka.internal;

import dev.oms.broker.spi.BrokerRecord;

/** A record taken from Kafka and not yet finished; its offset is committable once it and all before it are done. */
final class InFlightRecord {
  final int partition;
  final long offset;
  final BrokerRecord record;
  /** Written by the lane that handled it, read by the poll thread. */
  volatile boolean done;

  InFlightRecord(int partition, long offset, BrokerRecord record) {
    this.partition = partition;
    this.offset = offset;
    this.record = record;
  }
}
