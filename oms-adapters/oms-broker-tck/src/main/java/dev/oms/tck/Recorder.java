package dev.oms.tck;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.RecordHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import dev.oms.event.OrderEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kit's {@link RecordHandler}: records every delivery (which event, which thread, whether it
 * was acknowledged), watches the RecordHandler contract as it goes (one record of a key at a time,
 * the record's type and key match its content), and lets a test decide per delivery whether to
 * acknowledge (return: handled) or reject (throw: retry-later).
 */
final class Recorder implements RecordHandler {

  /** What a test does with one delivery before it is acknowledged; throwing rejects it. */
  @FunctionalInterface
  interface Behaviour {
    /** @param delivery 1 for the first delivery of this event id, 2 for the second... */
    void onDelivery(OrderEvent event, int delivery) throws Exception;
  }

  private final String name;
  private volatile Behaviour behaviour = (event, delivery) -> { };
  private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
  private final Map<String, OrderEvent> contents = new ConcurrentHashMap<>();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final AtomicInteger acknowledgements = new AtomicInteger();
  private final Map<String, List<Integer>> acknowledgedSeqByKey = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlightByKey = new ConcurrentHashMap<>();
  private final Set<String> threads = ConcurrentHashMap.newKeySet();
  private final Set<String> types = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

  Recorder(String name) {
    this.name = name;
  }

  Recorder behaviour(Behaviour behaviour) {
    this.behaviour = behaviour;
    return this;
  }

  /** Runs the behaviour on the delivering thread: handled when it returns, retry-later when it throws. */
  @Override
  public CompletionStage<Outcome> deliver(BrokerRecord record, DeliveryInfo info) {
    try {
      onRecord(record);
      return HANDLED;
    } catch (Exception e) {
      return CompletableFuture.completedFuture(Outcome.retryLater(Duration.ZERO, e));
    }
  }

  private static final CompletionStage<Outcome> HANDLED = CompletableFuture.completedFuture(Outcome.HANDLED);

  private void onRecord(BrokerRecord record) throws Exception {
    OrderEvent event;
    try {
      event = TckEvents.eventOf(record);
    } catch (RuntimeException e) {
      violations.add(name + ": a delivered record does not decode to the event that was sent (" + record + "): " + e);
      throw e;
    }
    if (record.type() != null && !record.type().equals(event.type().name())) {
      violations.add(name + ": record type " + record.type() + " but the body is a " + event.type().name());
    }
    if (record.key() != null && !record.key().equals(event.orderId())) {
      violations.add(name + ": record key " + record.key() + " but the event's order id is " + event.orderId());
    }
    String key = event.orderId();
    types.add(event.type().name());
    threads.add(Thread.currentThread().getName());
    contents.putIfAbsent(event.eventId(), event);
    int delivery = deliveries.computeIfAbsent(event.eventId(), id -> new AtomicInteger()).incrementAndGet();
    AtomicInteger inFlight = inFlightByKey.computeIfAbsent(key, k -> new AtomicInteger());
    if (inFlight.incrementAndGet() > 1) {
      violations.add(name + ": two records of key " + key + " were handled at the same time on "
          + Thread.currentThread().getName() + " (records of one key must be delivered one at a time)");
    }
    try {
      behaviour.onDelivery(event, delivery);
      acknowledged.add(event.eventId());
      acknowledgements.incrementAndGet();
      acknowledgedSeqByKey.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
          .add(TckEvents.seq(event));
    } finally {
      inFlight.decrementAndGet();
    }
  }

  String name() {
    return name;
  }

  /** Event ids handled successfully at least once. */
  Set<String> acknowledged() {
    return Set.copyOf(acknowledged);
  }

  int acknowledgedCount() {
    return acknowledged.size();
  }

  /** Successful handler returns, duplicates included. */
  int acknowledgements() {
    return acknowledgements.get();
  }

  /** How many times the record with this event id was delivered (0 if never). */
  int deliveries(String eventId) {
    AtomicInteger n = deliveries.get(eventId);
    return n == null ? 0 : n.get();
  }

  /** Event ids delivered more than once, with their counts. */
  Map<String, Integer> duplicates() {
    Map<String, Integer> dups = new HashMap<>();
    deliveries.forEach((id, n) -> {
      if (n.get() > 1) {
        dups.put(id, n.get());
      }
    });
    return dups;
  }

  /** The event as first delivered with this id, or null. */
  OrderEvent event(String eventId) {
    return contents.get(eventId);
  }

  Set<String> delivered() {
    return Set.copyOf(deliveries.keySet());
  }

  Set<String> threads() {
    return Set.copyOf(threads);
  }

  Set<String> types() {
    return Set.copyOf(types);
  }

  /**
   * Per key, the sequence numbers in the order they were first acknowledged (a redelivery of an
   * already acknowledged record does not count twice).
   */
  Map<String, List<Integer>> firstAcknowledgedSeqByKey() {
    Map<String, List<Integer>> result = new HashMap<>();
    acknowledgedSeqByKey.forEach((key, seqs) -> {
      synchronized (seqs) {
        result.put(key, new ArrayList<>(new LinkedHashSet<>(seqs)));
      }
    });
    return result;
  }

  List<String> violations() {
    return List.copyOf(violations);
  }
}
