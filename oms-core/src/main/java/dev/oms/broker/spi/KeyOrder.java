package dev.oms.broker.spi;

/**
 * How a broker keeps the records of one key (order id) in order for a consumer group. See
 * {@link RecordHandler} for what the runtime does with that order, and
 * {@link BrokerCapabilities#orderAcrossTypes()} for whether it spans event types.
 */
public enum KeyOrder {
  /**
   * The broker itself delivers a key's records in send order to one consumer at a time, across
   * every instance of the group: Kafka partitions, SQS FIFO message groups, the in-memory lanes.
   */
  NATIVE,
  /**
   * The adapter keeps it: records are sharded by key, each shard owned by one instance at a time
   * (a lease), and inside an instance the shard's records go through {@link KeyedLanes}. Same
   * promise as {@link #NATIVE}, earned by the adapter.
   */
  SHARDED,
  /**
   * No order is promised (EventBridge, SQS standard queues): records of one key may arrive in any
   * order and be handled by two instances at once. The runtime still handles one record of an
   * order at a time per instance; the services are written not to depend on the order (README,
   * "Ordering").
   */
  NONE;

  /** True when a group sees a key's records in send order. */
  public boolean isOrdered() {
    return this != NONE;
  }
}
