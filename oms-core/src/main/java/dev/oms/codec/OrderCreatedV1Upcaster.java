package dev.oms.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oms.OmsException;
import dev.oms.event.OrderCreated;

/**
 * OrderCreated v1 to v2: version 1 carried the total as two flat fields, {@code totalMinor} and
 * {@code currency}; version 2 nests them as {@code total: {amountMinor, currency}} like every other
 * {@link dev.oms.event.Money}.
 */
public final class OrderCreatedV1Upcaster implements Upcaster {

  @Override
  public String type() {
    return OrderCreated.TYPE.name();
  }

  @Override
  public int fromVersion() {
    return 1;
  }

  @Override
  public ObjectNode upcast(ObjectNode data) {
    JsonNode amount = data.get("totalMinor");
    JsonNode currency = data.get("currency");
    // Checked here so a v1 producer's mistake is reported in v1 terms, not as "total.amountMinor".
    if (amount == null || !amount.isIntegralNumber()) {
      throw invalid("an integer 'totalMinor'");
    }
    if (currency == null || !currency.isTextual()) {
      throw invalid("a string 'currency'");
    }
    data.remove("totalMinor");
    data.remove("currency");
    ObjectNode total = data.putObject("total");
    total.set("amountMinor", amount);
    total.set("currency", currency);
    return data;
  }

  private static OmsException invalid(String what) {
    return new OmsException(
        OmsException.Kind.INVALID_EVENT,
        OrderCreated.TYPE.name() + " schema version 1 data needs " + what + " but it was missing or not of that type");
  }
}
