package dev.oms.broker.spi;

/**
 * The delivery runtime's side of a subscription. An adapter calls it once per record.
 *
 * <p>Contract for adapters: records with the same key are delivered one at a time, in the order
 * they were sent; {@link #onRecord} returning normally <em>acknowledges</em> the record (commit,
 * ack, delete); throwing <em>rejects</em> it and the adapter must deliver it again later
 * (at-least-once). Retry, dead-lettering, deduplication and per-order parking happen inside
 * {@code onRecord}, so a well-formed pipeline rejects only when the bus itself cannot make progress.
 */
@FunctionalInterface
public interface RecordHandler {
  void onRecord(BrokerRecord record) throws Exception;
}
