package dev.oms.broker.spi;

/**
 * What an adapter can do, so the bus and the broker test kit know what to expect of it.
 *
 * @param carriesObjects records keep their event object (in-process); no codec runs on send
 * @param durable accepted records survive a broker restart
 * @param replay a new consumer group can read from the start of the retained history
 * @param maxRecordBytes the largest record the broker itself accepts
 */
public record BrokerCapabilities(boolean carriesObjects, boolean durable, boolean replay, int maxRecordBytes) {}
