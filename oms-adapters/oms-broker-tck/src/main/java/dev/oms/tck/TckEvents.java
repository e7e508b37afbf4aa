package dev.oms.tck;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.codec.EventCodec;
import dev.oms.event.Address;
import dev.oms.event.Customer;
import dev.oms.event.EventMetadata;
import dev.oms.event.Money;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderLine;
import dev.oms.event.OutOfStock;
import dev.oms.event.PaymentMethod;
import dev.oms.event.StockReleased;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The events the kit sends, built only from the public records of {@code dev.oms.event}. Every
 * instance has its own random run id, so order ids (and, through {@link EventMetadata#first}, event
 * ids) never collide with those of another test or an earlier run against the same backend.
 *
 * <p>The kit's workhorse is {@link #next(String, int)}: an {@link OutOfStock} whose
 * {@code requested} field carries a sequence number, so a handler can check per-order order.
 */
public final class TckEvents {
  /** The sku of every sequenced event; its {@code requested} field is the sequence number. */
  public static final String SEQ_SKU = "TCK-SEQ";

  private static final EventCodec CODEC = EventCodec.builder().maxEventBytes(Integer.MAX_VALUE).build();

  private final String run;

  public TckEvents() {
    this.run = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  }

  /** The order id number {@code i} of this run: {@code tck-<run>-<i>}. */
  public String orderId(int i) {
    return "tck-" + run + "-" + i;
  }

  /** The first {@code count} order ids of this run. */
  public List<String> orderIds(int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(orderId(i));
    }
    return ids;
  }

  /** A new event of {@code orderId} carrying sequence number {@code seq}, with a fresh event id. */
  public OutOfStock next(String orderId, int seq) {
    return new OutOfStock(EventMetadata.first(orderId, null), SEQ_SKU, seq, 0);
  }

  /**
   * {@code perOrder} events for each of {@code orders} orders, interleaved (order 0 seq 1, order 1
   * seq 1, ..., order 0 seq 2, ...), so consecutive sends go to different keys.
   */
  public List<OutOfStock> interleaved(int orders, int perOrder) {
    List<String> ids = orderIds(orders);
    List<OutOfStock> events = new ArrayList<>(orders * perOrder);
    for (int seq = 1; seq <= perOrder; seq++) {
      for (String id : ids) {
        events.add(next(id, seq));
      }
    }
    return events;
  }

  /** An event of a second type ({@link StockReleased}), for routing checks. */
  public StockReleased otherType(String orderId) {
    return new StockReleased(EventMetadata.first(orderId, null), List.of(line("TCK-OTHER", 0)));
  }

  /** An order whose CloudEvents encoding is larger than {@code minBytes}. */
  public OrderCreated orderLargerThan(String orderId, int minBytes) {
    List<OrderLine> lines = new ArrayList<>();
    int perLine = 64; // an encoded line is well over this; grown below until the size is reached
    for (int i = 0; i <= minBytes / perLine; i++) {
      lines.add(line("TCK-BULK-" + i, i));
    }
    OrderCreated order = order(orderId, lines);
    while (encode(order).length <= minBytes) {
      lines.addAll(new ArrayList<>(lines));
      order = order(orderId, lines);
    }
    return order;
  }

  /** A small, valid order. */
  public OrderCreated order(String orderId) {
    return order(orderId, List.of(line("TCK-ONE", 1)));
  }

  private static OrderCreated order(String orderId, List<OrderLine> lines) {
    long total = 0;
    for (OrderLine l : lines) {
      total += l.lineTotal().amountMinor();
    }
    return new OrderCreated(EventMetadata.first(orderId, null),
        new Customer("tck-customer", "tck@example.com", new Address("1 Test Street", "Testville", "00000", "US")),
        lines, Money.of(total, "USD"), new PaymentMethod("tok_tck"));
  }

  private static OrderLine line(String sku, int i) {
    return new OrderLine(sku, 1, Money.of(100 + i, "USD"));
  }

  /**
   * A {@link StockReleased} of {@code orderId} carrying sequence number {@code seq} (its one line's
   * quantity), so a key's records of two types can be checked for order together with {@link #next}.
   */
  public StockReleased releasedSeq(String orderId, int seq) {
    return new StockReleased(EventMetadata.first(orderId, null), List.of(new OrderLine(SEQ_SKU, seq, Money.of(1, "USD"))));
  }

  /** The sequence number of an event made by {@link #next} or {@link #releasedSeq}; -1 for any other. */
  public static int seq(OrderEvent event) {
    if (event instanceof OutOfStock o) {
      return o.requested();
    }
    if (event instanceof StockReleased r && r.lines().size() == 1 && SEQ_SKU.equals(r.lines().get(0).sku())) {
      return r.lines().get(0).quantity();
    }
    return -1;
  }

  /** The event's CloudEvents JSON (no size limit). */
  public static byte[] encode(OrderEvent event) {
    return CODEC.encode(event);
  }

  /** An {@link OutOfStock} whose CloudEvents encoding is larger than {@code minBytes} (a long sku). */
  public OutOfStock eventLargerThan(String orderId, int minBytes) {
    return new OutOfStock(EventMetadata.first(orderId, null), "X".repeat(minBytes + 1), 1, 0);
  }

  /**
   * The event a delivered record holds: the object itself, or its decoded body (structured or
   * binary mode).
   *
   * @throws dev.oms.OmsException if a bytes record does not decode
   */
  public static OrderEvent eventOf(BrokerRecord record) {
    if (record.hasEvent()) {
      return record.event();
    }
    return record.isBinary() ? CODEC.decodeBinary(record.headers(), record.body()) : CODEC.decode(record.body());
  }
}
