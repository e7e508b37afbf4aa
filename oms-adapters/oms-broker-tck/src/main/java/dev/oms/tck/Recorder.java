package dev.oms.tck;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.DeliveryInfo;
import dev.oms.broker.spi.Outcome;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.event.OrderEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The kit's {@link RecordHandler}, standing in for the delivery runtime where the kit talks to an
 * adapter directly. Like the runtime it keeps one record of a key in progress at a time (a per-key
 * gate): a record of a key whose previous record's stage has not completed waits, and starts when
 * it completed; when that one ended {@code RETRY_LATER}, the ones waiting behind it end
 * {@code RETRY_LATER} too. So an adapter may pipeline (call {@code deliver} for the next record
 * before the previous stage completed) exactly as it would with the runtime.
 *
 * <p>It records every delivery: the instance (the recorder's name), the thread, when
 * {@code deliver} was called, when the handling started and ended, and the outcome, so rules can
 * check order and overlap across instances. It watches the {@link RecordHandler} contract as it
 * goes: {@code deliver} calls of one key come in send order (a record delivered for the first time
 * never comes after a later record of its key, when the broker declares an ordered
 * {@code keyOrder}) and never concurrently; a record's {@code type()} and {@code key()} match its
 * content; it decodes.
 */
final class Recorder implements RecordHandler {

  /** What a test does with one delivery, synchronously: returning settles it HANDLED, throwing RETRY_LATER. */
  @FunctionalInterface
  interface Behaviour {
    /** @param delivery 1 for the first delivery of this event id, 2 for the second... */
    void onDelivery(OrderEvent event, int delivery) throws Exception;
  }

  /** What a test does with one delivery, possibly later: the stage's outcome is the record's. Throwing is RETRY_LATER. */
  @FunctionalInterface
  interface Staged {
    CompletionStage<Outcome> onDelivery(OrderEvent event, int delivery) throws Exception;
  }

  /** One delivery as the recorder saw it; times are {@link System#nanoTime()}, 0 when it did not happen. */
  record Handling(String instance, String thread, String key, String eventId, int seq, String type, int delivery,
      DeliveryInfo info, long called, long started, long ended, Outcome outcome, boolean cancelled) {

    boolean settled() {
      return outcome != null && outcome.isSettled();
    }
  }

  private static final CompletionStage<Outcome> HANDLED = CompletableFuture.completedFuture(Outcome.HANDLED);

  private final String name;
  private volatile Staged behaviour = (event, delivery) -> HANDLED;
  private volatile boolean ordered = true;
  private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
  private final Map<String, OrderEvent> contents = new ConcurrentHashMap<>();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final AtomicInteger acknowledgements = new AtomicInteger();
  private final Map<String, List<Integer>> acknowledgedSeqByKey = new ConcurrentHashMap<>();
  private final Map<String, KeyState> keys = new ConcurrentHashMap<>();
  private final Map<CompletionStage<Outcome>, Entry> byStage = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Entry> all = new ConcurrentLinkedQueue<>();
  private final Set<String> threads = ConcurrentHashMap.newKeySet();
  private final Set<String> types = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

  Recorder(String name) {
    this.name = name;
  }

  Recorder behaviour(Behaviour behaviour) {
    this.behaviour = (event, delivery) -> {
      behaviour.onDelivery(event, delivery);
      return HANDLED;
    };
    return this;
  }

  Recorder staged(Staged behaviour) {
    this.behaviour = behaviour;
    return this;
  }

  /** Whether first deliveries of a key must come in send order (the broker declares an ordered keyOrder). */
  Recorder ordered(boolean ordered) {
    this.ordered = ordered;
    return this;
  }

  /** Per key: the delivery in progress, those waiting behind it, the highest sequence delivered. */
  private static final class KeyState {
    final AtomicInteger calls = new AtomicInteger();
    final ArrayDeque<Entry> waiting = new ArrayDeque<>();
    Entry current;
    int maxSeq = Integer.MIN_VALUE;
  }

  /** One delivery in progress. */
  private final class Entry {
    final String key;
    final OrderEvent event;
    final int delivery;
    final DeliveryInfo info;
    final long called = System.nanoTime();
    final CompletableFuture<Outcome> stage = new CompletableFuture<>();
    final AtomicBoolean finished = new AtomicBoolean();
    volatile String thread;
    volatile long started;
    volatile long ended;
    volatile Outcome outcome;
    volatile boolean running;
    volatile boolean cancelled;

    Entry(String key, OrderEvent event, int delivery, DeliveryInfo info) {
      this.key = key;
      this.event = event;
      this.delivery = delivery;
      this.info = info;
    }

    Handling snapshot() {
      return new Handling(name, thread, key, event.eventId(), TckEvents.seq(event), event.type().name(), delivery,
          info, called, started, ended, outcome, cancelled);
    }
  }

  @Override
  public CompletionStage<Outcome> deliver(BrokerRecord record, DeliveryInfo info) {
    OrderEvent event;
    try {
      event = TckEvents.eventOf(record);
    } catch (RuntimeException e) {
      violations.add(name + ": a delivered record does not decode to the event that was sent (" + record + "): " + e);
      return CompletableFuture.completedFuture(Outcome.retryLater(Duration.ZERO, e));
    }
    if (record.type() != null && !record.type().equals(event.type().name())) {
      violations.add(name + ": record type " + record.type() + " but the body is a " + event.type().name());
    }
    if (record.key() != null && !record.key().equals(event.orderId())) {
      violations.add(name + ": record key " + record.key() + " but the event's order id is " + event.orderId());
    }
    String key = event.orderId();
    KeyState state = keys.computeIfAbsent(key, k -> new KeyState());
    if (state.calls.incrementAndGet() > 1) {
      violations.add(name + ": deliver was called for two records of key " + key + " at the same time (on "
          + Thread.currentThread().getName() + "); a key's records must be delivered one call at a time");
    }
    try {
      types.add(event.type().name());
      contents.putIfAbsent(event.eventId(), event);
      int delivery = deliveries.computeIfAbsent(event.eventId(), id -> new AtomicInteger()).incrementAndGet();
      Entry entry = new Entry(key, event, delivery, info == null ? DeliveryInfo.UNKNOWN : info);
      all.add(entry);
      byStage.put(entry.stage, entry);
      entry.stage.whenComplete((outcome, error) -> {
        if (error instanceof CancellationException) {
          cancelled(entry);
        }
      });
      boolean start;
      synchronized (state) {
        int seq = TckEvents.seq(event);
        if (ordered && delivery == 1 && seq >= 0 && seq < state.maxSeq) {
          violations.add(name + ": seq " + seq + " of key " + key + " was delivered for the first time after seq "
              + state.maxSeq + " of that key; a key's records must be delivered in send order");
        }
        state.maxSeq = Math.max(state.maxSeq, seq);
        start = state.current == null;
        if (start) {
          state.current = entry;
        } else {
          state.waiting.add(entry);
        }
      }
      if (start) {
        start(entry);
      }
      return entry.stage;
    } finally {
      state.calls.decrementAndGet();
    }
  }

  /** Runs the behaviour of the key's current delivery. */
  private void start(Entry entry) {
    if (entry.stage.isCancelled()) {
      finish(entry, cancelledOutcome());
      return;
    }
    entry.thread = Thread.currentThread().getName();
    threads.add(entry.thread);
    entry.running = true;
    entry.started = System.nanoTime();
    CompletionStage<Outcome> result;
    try {
      result = behaviour.onDelivery(entry.event, entry.delivery);
      if (result == null) {
        throw new IllegalStateException("the kit's behaviour returned no stage");
      }
    } catch (Exception e) {
      result = CompletableFuture.completedFuture(Outcome.retryLater(Duration.ZERO, e));
    } finally {
      entry.running = false;
    }
    if (entry.cancelled) {
      finish(entry, cancelledOutcome());
      return;
    }
    result.whenComplete((outcome, error) -> finish(entry, error == null && outcome != null ? outcome
        : Outcome.retryLater(Duration.ZERO, error)));
  }

  /** The adapter cancelled a stage: the delivery is over once no behaviour of it still runs. */
  private void cancelled(Entry entry) {
    entry.cancelled = true;
    boolean waiting;
    KeyState state = keys.get(entry.key);
    synchronized (state) {
      waiting = state.waiting.remove(entry);
    }
    if (waiting || (entry.started != 0 && !entry.running)) {
      finish(entry, cancelledOutcome());
    }
  }

  private static Outcome cancelledOutcome() {
    return Outcome.retryLater(Duration.ZERO, new CancellationException("cancelled by the adapter"));
  }

  /** Ends a delivery: records it, completes its stage, and opens the gate for the key's next one. */
  private void finish(Entry entry, Outcome outcome) {
    if (!entry.finished.compareAndSet(false, true)) {
      return;
    }
    entry.outcome = outcome;
    if (entry.started != 0) {
      entry.ended = System.nanoTime();
    }
    if (outcome.isSettled() && !entry.cancelled) {
      acknowledged.add(entry.event.eventId());
      acknowledgements.incrementAndGet();
      acknowledgedSeqByKey.computeIfAbsent(entry.key, k -> Collections.synchronizedList(new ArrayList<>()))
          .add(TckEvents.seq(entry.event));
    }
    entry.stage.complete(outcome);
    KeyState state = keys.get(entry.key);
    List<Entry> cascade = new ArrayList<>();
    Entry next = null;
    synchronized (state) {
      if (state.current != entry) {
        return; // a waiting delivery cancelled before it started: the gate is someone else's
      }
      if (!outcome.isSettled()) { // the broker delivers them again in order: none behind it may settle first
        cascade.addAll(state.waiting);
        state.waiting.clear();
      }
      next = state.waiting.poll();
      state.current = next;
    }
    for (Entry behind : cascade) {
      finish(behind, Outcome.retryLater(Duration.ZERO, new IllegalStateException("behind a record to retry later")));
    }
    if (next != null) {
      start(next);
    }
  }

  @Override
  public boolean awaitStopped(CompletionStage<Outcome> stage, Duration timeout) {
    Entry entry = byStage.get(stage);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (entry != null && entry.running) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(100_000);
    }
    return true;
  }

  String name() {
    return name;
  }

  /** Event ids settled at least once (the recorder's stage completed with a settled outcome). */
  Set<String> acknowledged() {
    return Set.copyOf(acknowledged);
  }

  int acknowledgedCount() {
    return acknowledged.size();
  }

  /** Settled outcomes returned, duplicates included. */
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

  /** Every delivery so far, in the order deliver was called. */
  List<Handling> handlings() {
    List<Handling> result = new ArrayList<>();
    for (Entry entry : all) {
      result.add(entry.snapshot());
    }
    return result;
  }

  /**
   * Per key, the sequence numbers in the order they were first settled (a redelivery of an already
   * settled record does not count twice).
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
