package dev.oms.port;

import dev.oms.event.Address;
import dev.oms.event.OrderLine;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A warehouse that packs at once; idempotent per shipment id, so a redelivery ships nothing twice. */
public final class InMemoryWarehouse implements Warehouse {
  private final Map<String, String> tracking = new ConcurrentHashMap<>();

  @Override
  public String pack(String shipmentId, List<OrderLine> lines, Address shipTo) {
    return tracking.computeIfAbsent(shipmentId, id -> "TRK-" + id);
  }

  /** Shipments packed so far. */
  public int packed() {
    return tracking.size();
  }
}
