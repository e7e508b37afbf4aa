package dev.oms.event;

/** Why an order was cancelled. */
public enum CancellationReason {
  PAYMENT_DECLINED,
  OUT_OF_STOCK
}
