/**
 * The delivery runtime behind {@link dev.oms.broker.EventBus}: per-key gate, outcomes, retries on
 * timers, dead letters and parking, idempotency claims and the unit of work, the same on every
 * broker. Implementation detail with no compatibility promise: applications use
 * {@code dev.oms.broker}, adapters {@code dev.oms.broker.spi}.
 */
package dev.oms.runtime;
