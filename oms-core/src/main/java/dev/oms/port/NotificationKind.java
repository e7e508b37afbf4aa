package dev.oms.port;

/** What a customer is told, one kind per customer-relevant step. */
public enum NotificationKind {
  ORDER_RECEIVED,
  PAYMENT_CONFIRMED,
  SHIPPED,
  ORDER_COMPLETED,
  ORDER_CANCELLED,
  REFUND_ISSUED;

  final int bit() {
    return 1 << ordinal();
  }
}
