/**
 * The wire format of OMS events: CloudEvents 1.0 JSON in structured mode.
 *
 * <p>{@link dev.oms.codec.EventCodec} turns an {@link dev.oms.event.OrderEvent} into bytes and back.
 * {@link dev.oms.codec.EventRegistry} says which CloudEvents {@code type} names exist and holds the
 * {@link dev.oms.codec.Upcaster}s that lift old schema versions to the current one, so a consumer
 * can read what an older producer wrote. Every failure is an {@link dev.oms.OmsException} with a
 * kind, never a Jackson exception.
 */
package dev.oms.codec;
