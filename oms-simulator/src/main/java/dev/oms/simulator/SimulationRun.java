package dev.oms.simulator;

import dev.oms.Oms;
import dev.oms.OmsService;
import dev.oms.audit.AuditReport;
import dev.oms.audit.PipelineAudit;
import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.GroupMetrics;
import dev.oms.broker.spi.EventBroker;
import dev.oms.event.CancellationReason;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderFulfilled;
import dev.oms.event.OrderProcessed;
import dev.oms.event.ShipmentPrepared;
import dev.oms.event.ShipmentProcessed;
import dev.oms.event.StockReserved;
import dev.oms.port.InMemoryInventory;
import dev.oms.port.InMemoryNotificationChannel;
import dev.oms.port.InMemoryOrderStore;
import dev.oms.port.InMemoryPaymentGateway;
import dev.oms.port.InMemoryWarehouse;
import dev.oms.port.InventoryStore;
import dev.oms.port.OrderStatus;
import dev.oms.service.PlaceOrder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One simulation. Wires an {@link Oms} on in-memory ports (wrapped for the load model and the
 * faults) and the chosen broker, then issues orders open loop: each order has an intended arrival
 * time from the {@link ArrivalSchedule}, and is placed at that time whatever the pipeline is doing;
 * when the arrival thread falls behind (checkout blocked by backpressure, a spike faster than one
 * thread can place), late orders go out at once and every latency is measured from the intended
 * time, so queueing shows up in the figures instead of being hidden (no coordinated omission).
 * Then it waits for the pipeline to drain, audits the invariants and reports.
 *
 * <p>Terminal events are observed through an extra consumer group, {@value #PROBE_GROUP},
 * subscribed through the public bus API like any other consumer.
 */
final class SimulationRun {
  /** The consumer group that watches orders finish. */
  static final String PROBE_GROUP = "simulator-probe";
  /** The stages timed from intended arrival to the stage's event being sent. */
  static final List<String> STAGES = List.of("stock reserved", "order processed", "shipment prepared",
      "shipment packed", "fulfilled", "cancelled");

  private static final long POLL_MILLIS = 50;
  private static final int STUCK_EXAMPLES = 10;
  /** The arrival thread sleeps until this close to an arrival, then places it. */
  private static final long EARLY_NANOS = 200_000;

  private final SimulatorOptions options;
  private final PrintWriter progress;

  private final OrderTracker tracker = new OrderTracker();
  private final LatencyRecorder checkoutAck = new LatencyRecorder();
  private final LatencyRecorder endToEnd = new LatencyRecorder();
  private final LatencyRecorder[] stages = new LatencyRecorder[STAGES.size()];
  private final LongAdder fulfilled = new LongAdder();
  private final LongAdder outOfStock = new LongAdder();
  private final LongAdder declined = new LongAdder();
  private final LongAdder terminal = new LongAdder();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder duplicateTerminals = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAccumulator lastTerminalNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
  private final Set<Long> rejectedSeqs = ConcurrentHashMap.newKeySet();
  private final AtomicReference<String> firstRejection = new AtomicReference<>();
  private final Semaphore permits;
  private volatile long started;
  private long maxBehind;

  /**
   * @param progress where progress lines go, or null for none
   */
  SimulationRun(SimulatorOptions options, PrintWriter progress) {
    this.options = options;
    this.progress = progress;
    this.permits = options.maxInFlight() > 0 ? new Semaphore(options.maxInFlight()) : null;
    for (int i = 0; i < stages.length; i++) {
      stages[i] = new LatencyRecorder();
    }
  }

  SimulationResult execute() {
    try (LocalKafka localKafka = LocalKafka.prepare(options.broker(), options.brokerOptions,
        options.quiet() ? null : progress)) {
      return execute(localKafka.options());
    }
  }

  private SimulationResult execute(Map<String, String> brokerOptions) {
    RunPlan plan = RunPlan.resolve(options);
    Profile profile = plan.profile();
    if (plan.orders() > OrderTracker.capacity() || plan.expectedOrders() > OrderTracker.capacity() / 2) {
      throw new IllegalArgumentException("at most " + OrderTracker.capacity() / 2 + " orders per run");
    }
    SplittableRandom seeds = new SplittableRandom(options.seed());
    Workload workload = Workload.of(profile, seeds.nextLong(), seeds.nextLong());
    ArrivalSchedule schedule = new ArrivalSchedule(profile, plan.orders(), seeds.nextLong());
    long faultSeed = seeds.nextLong();
    long stockFor = Math.max(1, Math.round(plan.expectedOrders()));
    RunClock clock = new RunClock(schedule.wallNanos());
    FaultPlan faults = profile.faults();

    InMemoryInventory inventory = workload.catalog().stock(new InMemoryInventory(), stockFor);
    InMemoryPaymentGateway payments = new InMemoryPaymentGateway();
    InMemoryNotificationChannel notifications = new InMemoryNotificationChannel();
    InMemoryOrderStore orderStore = new InMemoryOrderStore();
    FaultyPorts.Chaos inventoryChaos = new FaultyPorts.Chaos("inventory", OmsService.INVENTORY, faults, clock, faultSeed);
    FaultyPorts.Chaos paymentChaos = new FaultyPorts.Chaos("payment gateway", OmsService.ORDER, faults, clock, faultSeed);
    FaultyPorts.Chaos warehouseChaos = new FaultyPorts.Chaos("warehouse", OmsService.WAREHOUSE, faults, clock, faultSeed);
    FaultyPorts.Chaos notificationChaos =
        new FaultyPorts.Chaos("notification channel", OmsService.NOTIFICATION, faults, clock, faultSeed);
    FaultyPorts.Chaos orderViewChaos = new FaultyPorts.Chaos("order store", OmsService.ORDER_VIEW, faults, clock, faultSeed);
    InventoryStore inventoryPort = new FaultyPorts.Inventory(inventory, inventoryChaos);
    if (options.inventoryDecorator != null) {
      inventoryPort = options.inventoryDecorator.apply(inventoryPort);
    }
    double packsPerSecond = profile.warehouseCapacity() * profile.rate() * profile.speed();
    FaultyPorts.Packing warehouse = new FaultyPorts.Packing(new InMemoryWarehouse(), packsPerSecond, warehouseChaos,
        inventory.initialStock());

    EventBroker raw = Brokers.create(options.broker(), brokerOptions);
    InstrumentedBroker broker = new InstrumentedBroker(raw, faults.duplicates(), faultSeed, this::onSent);
    RunListener listener;
    try {
      listener = new RunListener(options.eventsOut);
    } catch (IOException e) {
      raw.close(Duration.ZERO);
      throw new UncheckedIOException("cannot write --events-out " + options.eventsOut + ": " + e.getMessage(), e);
    }
    EventBus bus = EventBus.builder().broker(broker).listener(listener).closeTimeout(Duration.ofSeconds(5)).build();
    listener.codec(bus.codec());
    boolean inProcess = raw.capabilities().carriesObjects();
    // Fast first retries (an injected failure succeeds on its retry), a long enough budget (about
    // 9 s in all) to ride out a broker restart.
    DeliveryPolicy policy = DeliveryPolicy.builder().maxAttempts(12)
        .backoff(Duration.ofMillis(5), Duration.ofSeconds(2), 2.0).build();
    Oms.Builder builder = Oms.builder()
        .bus(bus)
        .deliveryPolicy(policy)
        .inventory(inventoryPort)
        .paymentGateway(new FaultyPorts.Payments(payments, profile.payment().latencyNanos(), paymentChaos))
        .notificationChannel(new FaultyPorts.Notifications(notifications, notificationChaos))
        .orderStore(new FaultyPorts.Orders(orderStore, orderViewChaos))
        .warehouse(warehouse);
    plan.concurrency(options.concurrency).forEach(builder::concurrency);
    builder.blocking(plan.blocking().toArray(OmsService[]::new));
    Oms oms;
    try {
      oms = builder.build();
    } catch (RuntimeException e) {
      bus.close(Duration.ZERO);
      throw e;
    }
    try {
      subscribeProbe(oms, faults.duplicates() > 0 || !inProcess);
      List<String> stuck = new ArrayList<>();
      long firstArrival = System.nanoTime() + 20_000_000L; // a moment for the groups to start
      clock.start(firstArrival);
      double expected = plan.expectedOrders();
      double wallSeconds = schedule.wallNanos() / 1e9;
      Monitor monitor = new Monitor(oms, clock, t -> expected * schedule.expectedShare(t / wallSeconds), () -> started, accepted::sum, terminal::sum, checkoutAck, endToEnd,
          options.quiet() ? null : progress, options.liveProgress);
      FaultInjector injector = new FaultInjector(oms, clock);
      long arrivalsEnd;
      long drainedAt;
      try {
        injector.schedule(faults, options.broker(), raw);
        monitor.start();
        issueAll(oms, workload.generator(), schedule, clock, stuck);
        arrivalsEnd = System.nanoTime();
        monitor.arrivalsDone();
        if (stuck.isEmpty()) {
          awaitDrained(oms, stuck);
        }
        drainedAt = System.nanoTime();
      } finally {
        injector.close();
        monitor.close();
      }
      if (!stuck.isEmpty()) {
        describeStuck(oms, orderStore, stuck);
      }
      long end = lastTerminalNanos.get();
      long elapsed = end == Long.MIN_VALUE ? 0 : end - firstArrival;

      if (progress != null && !options.quiet()) {
        progress.println(String.format(Locale.US, "%s; auditing %,d orders", stuck.isEmpty() ? "drained" : "stuck",
            started - rejected.sum()));
        progress.flush();
      }
      long auditStart = System.nanoTime();
      AuditReport audit = new PipelineAudit(orderStore, inventory, payments, notifications).audit(acceptedIds());
      long auditNanos = System.nanoTime() - auditStart;

      Map<String, Histogram> stageHistograms = new LinkedHashMap<>();
      for (int i = 0; i < stages.length; i++) {
        stageHistograms.put(STAGES.get(i), stages[i].total());
      }
      long deadLetters = oms.deadLetters().list().size();
      long portFaults = inventoryChaos.injected.sum() + paymentChaos.injected.sum() + warehouseChaos.injected.sum()
          + notificationChaos.injected.sum() + orderViewChaos.injected.sum();
      List<String> notes = new ArrayList<>(injector.notes());
      oms.close(Duration.ofSeconds(5));
      try {
        listener.close();
        if (options.eventsOut != null) {
          notes.add(String.format(Locale.US, "%,d events written to %s", listener.eventsWritten.sum(),
              options.eventsOut));
        }
      } catch (IOException e) {
        notes.add("writing --events-out failed: " + e.getMessage());
      }
      SimulationResult result = new SimulationResult(bus.brokerName(), profile.shape(), plan.rule(), plan.orders(),
          options.seed(), started - rejected.sum(), rejected.sum(), firstRejection.get(), fulfilled.sum(),
          outOfStock.sum(), declined.sum(), duplicateTerminals.sum(), elapsed, arrivalsEnd - firstArrival,
          stuck.isEmpty() ? drainedAt - arrivalsEnd : -1, checkoutAck.total(), endToEnd.total(), stageHistograms, audit,
          warehouse.oversoldCount(), warehouse.oversoldOrders(), auditNanos, deadLetters, listener.retries.sum(),
          broker.duplicated.sum(), portFaults, monitor.maxBacklog(), maxBehind, List.copyOf(stuck),
          faults.describe(), injector.windows(), List.copyOf(notes), monitor.groups(), monitor.samples(),
          profile.wallSeconds(), profile.speed(), profile.rate(), plan.expectedOrders(), null, options.eventsOut);
      if (options.reportDir != null) {
        try {
          ReportWriter.write(result, options.reportDir);
          result = result.withReport(options.reportDir);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write the report to " + options.reportDir + ": " + e.getMessage(), e);
        }
      }
      return result;
    } finally {
      oms.close(Duration.ofSeconds(5));
    }
  }

  private void subscribeProbe(Oms oms, boolean dedup) {
    // Dedup only when duplicates are possible: otherwise the probe is idempotent by itself.
    DeliveryPolicy policy = dedup ? DeliveryPolicy.ofDefaults() : DeliveryPolicy.builder().deduplicate(false).build();
    ConsumerGroup group = ConsumerGroup.builder(PROBE_GROUP).policy(policy).build();
    oms.bus().subscribe(group, EventHandlers.builder()
        .on(OrderFulfilled.TYPE, (event, ctx) -> onTerminal(event.orderId(), null))
        .on(OrderCancelled.TYPE, (event, ctx) -> onTerminal(event.orderId(), event.reason()))
        .build());
  }

  /** Times the stage an event marks, from the order's intended arrival. */
  private void onSent(OrderEvent event) {
    int stage;
    if (event instanceof StockReserved) {
      stage = 0;
    } else if (event instanceof OrderProcessed) {
      stage = 1;
    } else if (event instanceof ShipmentPrepared) {
      stage = 2;
    } else if (event instanceof ShipmentProcessed) {
      stage = 3;
    } else if (event instanceof OrderFulfilled) {
      stage = 4;
    } else if (event instanceof OrderCancelled) {
      stage = 5;
    } else {
      return;
    }
    long start = tracker.start(OrderGenerator.sequenceOf(event.orderId()));
    if (start != OrderTracker.DONE) {
      stages[stage].record(System.nanoTime() - start);
    }
  }

  private void onTerminal(String orderId, CancellationReason reason) {
    long now = System.nanoTime();
    long start = tracker.finish(OrderGenerator.sequenceOf(orderId));
    if (start == OrderTracker.DONE) {
      duplicateTerminals.increment();
      return;
    }
    endToEnd.record(now - start);
    if (reason == null) {
      fulfilled.increment();
    } else if (reason == CancellationReason.OUT_OF_STOCK) {
      outOfStock.increment();
    } else {
      declined.increment();
    }
    lastTerminalNanos.accumulate(now);
    terminal.increment();
    if (permits != null) {
      permits.release();
    }
  }

  /** Places every scheduled order at its time (open loop); late ones at once. */
  private void issueAll(Oms oms, OrderGenerator generator, ArrivalSchedule schedule, RunClock clock, List<String> stuck) {
    long base = clock.startNanos();
    long timeoutNanos = TimeUnit.SECONDS.toNanos(options.drainTimeoutSeconds());
    while (true) {
      long offset = schedule.next();
      if (offset < 0) {
        return;
      }
      long seq = generator.nextSequence();
      PlaceOrder request = generator.next();
      long intended = base + offset;
      long now = System.nanoTime();
      while (intended - now > EARLY_NANOS) {
        LockSupport.parkNanos(intended - now - EARLY_NANOS / 2);
        now = System.nanoTime();
      }
      if (permits != null && !permits.tryAcquire()) {
        try {
          if (!permits.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
            stuck.add(String.format(Locale.US, "placing stopped after %,d orders: none of the %,d in flight "
                + "finished within %d s", seq, options.maxInFlight(), options.drainTimeoutSeconds()));
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stuck.add("interrupted while placing order " + seq);
          return;
        }
        now = System.nanoTime();
      }
      maxBehind = Math.max(maxBehind, now - intended);
      long t0 = Math.min(intended, now); // late: from the intended time; a little early: from now
      tracker.started(seq, t0);
      started = seq + 1;
      oms.checkout().placeOrderAsync(request).whenComplete((ack, error) -> {
        if (error == null) {
          checkoutAck.record(System.nanoTime() - t0);
          accepted.increment();
        } else {
          onRejected(seq, error);
        }
      });
    }
  }

  private void onRejected(long seq, Throwable error) {
    if (tracker.finish(seq) == OrderTracker.DONE) {
      return; // it finished anyway (the broker took it after all)
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    firstRejection.compareAndSet(null, OrderGenerator.orderId(seq) + ": " + cause);
    rejectedSeqs.add(seq);
    rejected.increment();
    if (permits != null) {
      permits.release();
    }
  }

  /** Waits until every placed order ended and nothing is left to deliver, or until progress stops. */
  private void awaitDrained(Oms oms, List<String> stuck) {
    long timeoutNanos = TimeUnit.SECONDS.toNanos(options.drainTimeoutSeconds());
    long lastProgress = System.nanoTime();
    long previousTerminal = -1;
    long previousBacklog = -1;
    int quietPolls = 0;
    while (true) {
      long done = terminal.sum() + rejected.sum();
      long backlog = oms.backlog();
      // oms.backlog() reads zero only when idle; a second quiet poll is a margin, not a necessity.
      quietPolls = done == started && backlog == 0 ? quietPolls + 1 : 0;
      if (quietPolls >= 2) {
        return;
      }
      long now = System.nanoTime();
      if (done != previousTerminal || backlog != previousBacklog) {
        previousTerminal = done;
        previousBacklog = backlog;
        lastProgress = now;
      } else if (now - lastProgress > timeoutNanos) {
        stuck.add(String.format(Locale.US, "no progress for %d s: %,d of %,d placed orders not finished, "
            + "backlog %,d", options.drainTimeoutSeconds(), started - done, started, backlog));
        return;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stuck.add("interrupted while waiting for the pipeline to drain");
        return;
      }
    }
  }

  private void describeStuck(Oms oms, InMemoryOrderStore orderStore, List<String> stuck) {
    StringBuilder examples = new StringBuilder();
    int shown = 0;
    for (long seq = 0; seq < started && shown < STUCK_EXAMPLES; seq++) {
      if (tracker.pending(seq)) {
        String id = OrderGenerator.orderId(seq);
        examples.append(shown == 0 ? "" : ", ").append(id).append(" (")
            .append(orderStore.status(id).map(OrderStatus::name).orElse("unknown")).append(')');
        shown++;
      }
    }
    if (shown > 0) {
      stuck.add("unfinished, e.g. " + examples);
    }
    for (GroupMetrics m : oms.metrics()) {
      if (m.paused() || m.backlog() != 0 || m.inFlight() != 0 || m.parked() != 0 || m.deadLettered() != 0) {
        stuck.add(String.format(Locale.US, "group %s%s: backlog %,d, in flight %,d, parked %,d, dead-lettered %,d",
            m.group(), m.paused() ? " (paused)" : "", m.backlog(), m.inFlight(), m.parked(), m.deadLettered()));
      }
    }
  }

  /** The ids of the orders checkout accepted, in sequence, generated on the fly. */
  private Iterable<String> acceptedIds() {
    long count = started;
    return () -> new Iterator<>() {
      private long next = skipRejected(0);

      private long skipRejected(long from) {
        long seq = from;
        while (seq < count && !rejectedSeqs.isEmpty() && rejectedSeqs.contains(seq)) {
          seq++;
        }
        return seq;
      }

      @Override
      public boolean hasNext() {
        return next < count;
      }

      @Override
      public String next() {
        if (next >= count) {
          throw new NoSuchElementException();
        }
        String id = OrderGenerator.orderId(next);
        next = skipRejected(next + 1);
        return id;
      }
    };
  }
}
