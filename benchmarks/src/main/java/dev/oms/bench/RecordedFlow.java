package dev.oms.bench;

import dev.oms.codec.EventCodec;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderFulfilled;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The record flow of a simulator run, as written by {@code simulate --events-out FILE} (every event
 * once, CloudEvents structured JSON, one per line), indexed for replay: group G, having read the
 * record of event R, publishes every recorded event whose {@code causationid} is R's id and whose
 * type G produces ({@link FlowGroups#producerOf}). Replaying the recording rather than re-running
 * the services' logic gives exactly the events OMS published: the same ids, payloads and sizes.
 */
final class RecordedFlow {
  /** Each order's {@code OrderCreated}, in the order the recording saw them (about placement order). */
  private final List<OrderCreated> orders;
  private final Map<String, Integer> orderIndex;
  /** Records per order, {@code OrderCreated} included. */
  private final int[] recordsPerOrder;
  /** Producing group, then cause event id, then the events it publishes for that cause, in order. */
  private final Map<String, Map<String, List<OrderEvent>>> followOns;
  private final Map<String, Long> typeCounts;

  private RecordedFlow(List<OrderCreated> orders, Map<String, Integer> orderIndex, int[] recordsPerOrder,
      Map<String, Map<String, List<OrderEvent>>> followOns, Map<String, Long> typeCounts) {
    this.orders = orders;
    this.orderIndex = orderIndex;
    this.recordsPerOrder = recordsPerOrder;
    this.followOns = followOns;
    this.typeCounts = typeCounts;
  }

  /**
   * Reads and checks a recording: every event's cause is in it and of a type its producing group
   * handles, and every order ended exactly once (fulfilled or cancelled), so a closed loop over it
   * cannot stall on an order that never finishes.
   */
  static RecordedFlow load(Path file, EventCodec codec) throws IOException {
    List<OrderEvent> events = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          events.add(codec.decode(line.getBytes(StandardCharsets.UTF_8)));
        }
      }
    }
    Map<String, OrderEvent> byId = new HashMap<>();
    List<OrderCreated> orders = new ArrayList<>();
    Map<String, Integer> orderIndex = new HashMap<>();
    for (OrderEvent e : events) {
      if (byId.putIfAbsent(e.eventId(), e) != null) {
        throw new IllegalArgumentException(file + ": event " + e.eventId() + " appears twice");
      }
      if (e instanceof OrderCreated created) {
        orderIndex.put(created.orderId(), orders.size());
        orders.add(created);
      }
    }
    Map<String, Set<String>> subscriptions = FlowGroups.subscriptions();
    int[] recordsPerOrder = new int[orders.size()];
    int[] terminals = new int[orders.size()];
    Map<String, Map<String, List<OrderEvent>>> followOns = new HashMap<>();
    Map<String, Long> typeCounts = new TreeMap<>();
    for (OrderEvent e : events) {
      String type = e.type().name();
      typeCounts.merge(type, 1L, Long::sum);
      Integer order = orderIndex.get(e.orderId());
      if (order == null) {
        throw new IllegalArgumentException(file + ": " + type + " " + e.eventId() + " of order " + e.orderId()
            + ", whose OrderCreated is not in the recording");
      }
      recordsPerOrder[order]++;
      if (e instanceof OrderFulfilled || e instanceof OrderCancelled) {
        terminals[order]++;
      }
      if (e instanceof OrderCreated) {
        continue; // checkout's: caused by itself
      }
      String producer = FlowGroups.producerOf(type);
      OrderEvent cause = byId.get(e.metadata().causationId());
      if (cause == null || !subscriptions.get(producer).contains(cause.type().name())) {
        throw new IllegalArgumentException(file + ": " + type + " " + e.eventId() + " is caused by "
            + (cause == null ? "an event not in the recording" : cause.type().name() + ", which " + producer
                + " does not handle"));
      }
      followOns.computeIfAbsent(producer, g -> new HashMap<>())
          .computeIfAbsent(cause.eventId(), id -> new ArrayList<>(2)).add(e);
    }
    for (int i = 0; i < terminals.length; i++) {
      if (terminals[i] != 1) {
        throw new IllegalArgumentException(file + ": order " + orders.get(i).orderId() + " has " + terminals[i]
            + " terminal events (OrderFulfilled or OrderCancelled), not one");
      }
    }
    return new RecordedFlow(List.copyOf(orders), orderIndex, recordsPerOrder, followOns, typeCounts);
  }

  int orders() {
    return orders.size();
  }

  OrderCreated order(int i) {
    return orders.get(i);
  }

  /** The position of an order in the recording, or -1. */
  int indexOf(String orderId) {
    Integer i = orderIndex.get(orderId);
    return i == null ? -1 : i;
  }

  /** Records the first {@code n} orders make, their {@code OrderCreated} included. */
  long records(int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += recordsPerOrder[i];
    }
    return sum;
  }

  /** Cause event id to the events {@code group} publishes for it; empty for groups that publish nothing. */
  Map<String, List<OrderEvent>> followOnsOf(String group) {
    return followOns.getOrDefault(group, Map.of());
  }

  /** Events of each type in the whole recording, by type name. */
  Map<String, Long> typeCounts() {
    return typeCounts;
  }
}
