package dev.oms.port;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The default {@link PaymentLedger}: a concurrent map holding only orders in flight. */
public final class InMemoryPaymentLedger implements PaymentLedger {
  private final Map<String, PaymentRecord> records = new ConcurrentHashMap<>();

  @Override
  public void put(String orderId, PaymentRecord record) {
    records.put(orderId, record);
  }

  @Override
  public Optional<PaymentRecord> get(String orderId) {
    return Optional.ofNullable(records.get(orderId));
  }

  @Override
  public void remove(String orderId) {
    records.remove(orderId);
  }

  public int size() {
    return records.size();
  }
}
