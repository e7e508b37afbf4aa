package dev.oms.port;

import dev.oms.event.Address;
import dev.oms.event.OrderLine;
import java.util.List;

/** The warehouse system that picks, packs and hands shipments to a carrier. */
public interface Warehouse {

  /**
   * Packs a shipment and returns its tracking number. Idempotent per shipment id. Throwing means
   * "try again later" (the bus retries, then dead-letters).
   */
  String pack(String shipmentId, List<OrderLine> lines, Address shipTo) throws Exception;
}
