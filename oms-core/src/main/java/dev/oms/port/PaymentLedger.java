package dev.oms.port;

import java.util.Optional;

/**
 * What the order service remembers about each order between the events it joins (the payment
 * outcome, waiting for the inventory's answer). Entries are removed once the order leaves the
 * order service, so the ledger holds only orders in flight. Use a shared store when the order
 * service runs in more than one process.
 */
public interface PaymentLedger {

  void put(String orderId, PaymentRecord record);

  Optional<PaymentRecord> get(String orderId);

  void remove(String orderId);
}
