package dev.oms.broker.spi;

import dev.oms.OmsException;

/**
 * What an adapter can do, so the bus and the broker test kit know what to expect of it. Build one
 * with {@link #builder()}; every flag is off (and the order {@link KeyOrder#NONE}) unless set.
 *
 * @param carriesObjects records keep their event object (in-process); no codec runs on send
 * @param durable accepted records survive a broker restart and a consumer crash; another
 *     instance sharing the backend gets what one did not acknowledge
 * @param replay a new consumer group can read from the start of the retained history
 * @param maxRecordBytes the largest record the broker itself accepts
 * @param keyOrder how the records of one key reach a group (see {@link KeyOrder})
 * @param orderAcrossTypes a key's records keep their order across event types (one log or queue
 *     for every type), not only within one type; meaningless without an ordered {@code keyOrder}
 * @param nativeRedelivery the broker redelivers a record the adapter did not acknowledge after a
 *     delay and counts the deliveries, so a group may opt in to leaving retries and dead-lettering
 *     to the broker ({@code DeliveryPolicy.FailureHandling.BROKER})
 */
public record BrokerCapabilities(
    boolean carriesObjects,
    boolean durable,
    boolean replay,
    int maxRecordBytes,
    KeyOrder keyOrder,
    boolean orderAcrossTypes,
    boolean nativeRedelivery) {

  public BrokerCapabilities {
    if (maxRecordBytes < 1) {
      throw new OmsException(OmsException.Kind.CONFIGURATION, "maxRecordBytes must be >= 1, was " + maxRecordBytes);
    }
    if (keyOrder == null) {
      throw new OmsException(OmsException.Kind.CONFIGURATION, "keyOrder must be set (KeyOrder.NONE when unordered)");
    }
    orderAcrossTypes = orderAcrossTypes && keyOrder.isOrdered();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these capabilities (a wrapping adapter that changes one of them). */
  public Builder toBuilder() {
    return new Builder().carriesObjects(carriesObjects).durable(durable).replay(replay).maxRecordBytes(maxRecordBytes)
        .keyOrder(keyOrder, orderAcrossTypes).nativeRedelivery(nativeRedelivery);
  }

  /** Builds {@link BrokerCapabilities}: nothing promised until set; {@code maxRecordBytes} unlimited. */
  public static final class Builder {
    private boolean carriesObjects;
    private boolean durable;
    private boolean replay;
    private int maxRecordBytes = Integer.MAX_VALUE;
    private KeyOrder keyOrder = KeyOrder.NONE;
    private boolean orderAcrossTypes;
    private boolean nativeRedelivery;

    private Builder() {}

    public Builder carriesObjects(boolean carriesObjects) {
      this.carriesObjects = carriesObjects;
      return this;
    }

    public Builder durable(boolean durable) {
      this.durable = durable;
      return this;
    }

    public Builder replay(boolean replay) {
      this.replay = replay;
      return this;
    }

    public Builder maxRecordBytes(int maxRecordBytes) {
      this.maxRecordBytes = maxRecordBytes;
      return this;
    }

    /** How a key's records are ordered; {@code acrossTypes} when one log or queue carries every type. */
    public Builder keyOrder(KeyOrder keyOrder, boolean acrossTypes) {
      this.keyOrder = keyOrder;
      this.orderAcrossTypes = acrossTypes;
      return this;
    }

    public Builder nativeRedelivery(boolean nativeRedelivery) {
      this.nativeRedelivery = nativeRedelivery;
      return this;
    }

    public BrokerCapabilities build() {
      return new BrokerCapabilities(carriesObjects, durable, replay, maxRecordBytes, keyOrder, orderAcrossTypes,
          nativeRedelivery);
    }
  }
}
