package dev.oms.simulator;

import dev.oms.Oms;
import dev.oms.audit.AuditReport;
import dev.oms.audit.PipelineAudit;
import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.DeliveryPolicy;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.GroupMetrics;
import dev.oms.broker.spi.EventBroker;
import dev.oms.event.CancellationReason;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderFulfilled;
import dev.oms.port.InMemoryInventory;
import dev.oms.port.InMemoryNotificationChannel;
import dev.oms.port.InMemoryOrderStore;
import dev.oms.port.InMemoryPaymentGateway;
import dev.oms.port.InMemoryWarehouse;
import dev.oms.port.OrderStatus;
import dev.oms.service.PlaceOrder;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * One simulation: wires an {@link Oms} on in-memory ports and the chosen broker, places the
 * workload's orders from the calling thread with at most {@code maxInFlight} outstanding, times
 * each order from placement to acknowledgement and to its terminal event, waits for the pipeline
 * to drain, and audits the invariants.
 *
 * <p>Terminal events are observed through an extra consumer group, {@value #PROBE_GROUP},
 * subscribed through the public bus API like any other consumer.
 */
final class SimulationRun {
  /** The consumer group that watches orders finish. */
  static final String PROBE_GROUP = "simulator-probe";

  private static final long POLL_MILLIS = 50;
  private static final int STUCK_EXAMPLES = 10;

  private final SimulatorOptions options;
  private final PrintWriter progress;

  private final OrderTracker tracker = new OrderTracker();
  private final LatencyRecorder checkoutAck = new LatencyRecorder();
  private final LatencyRecorder endToEnd = new LatencyRecorder();
  private final LongAdder fulfilled = new LongAdder();
  private final LongAdder outOfStock = new LongAdder();
  private final LongAdder declined = new LongAdder();
  private final LongAdder terminal = new LongAdder();
  private final LongAdder duplicateTerminals = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAccumulator lastTerminalNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
  private final Set<Long> rejectedSeqs = ConcurrentHashMap.newKeySet();
  private final AtomicReference<String> firstRejection = new AtomicReference<>();
  private final Semaphore permits;
  private volatile long started;

  /**
   * @param progress where progress lines go once a second, or null for none
   */
  SimulationRun(SimulatorOptions options, PrintWriter progress) {
    this.options = options;
    this.progress = progress;
    this.permits = new Semaphore(options.maxInFlight());
  }

  SimulationResult execute() {
    Workload workload = Workload.of(options);
    long orders = options.orders();
    if (orders > OrderTracker.capacity()) {
      throw new IllegalArgumentException("at most " + OrderTracker.capacity() + " orders per run");
    }
    InMemoryInventory inventory = workload.catalog().stock(new InMemoryInventory(), orders);
    InMemoryPaymentGateway payments = new InMemoryPaymentGateway();
    InMemoryNotificationChannel notifications = new InMemoryNotificationChannel();
    InMemoryOrderStore orderStore = new InMemoryOrderStore();
    EventBroker broker = Brokers.create(options.broker(), options.brokerOptions);
    Oms oms = Oms.builder()
        .broker(broker)
        .inventory(inventory)
        .paymentGateway(payments)
        .notificationChannel(notifications)
        .orderStore(orderStore)
        .warehouse(new InMemoryWarehouse())
        .build();
    try {
      subscribeProbe(oms);
      List<String> stuck = new ArrayList<>();
      ProgressReporter reporter = ProgressReporter.start(options.quiet() ? null : progress,
          () -> started - rejected.sum(), terminal::sum, oms::backlog);
      long firstPlacement = System.nanoTime();
      try {
        placeAll(oms, workload.generator(), orders, stuck);
        if (stuck.isEmpty()) {
          awaitDrained(oms, stuck);
        }
      } finally {
        reporter.close();
      }
      if (!stuck.isEmpty()) {
        describeStuck(oms, orderStore, stuck);
      }
      long end = lastTerminalNanos.get();
      long elapsed = end == Long.MIN_VALUE ? 0 : end - firstPlacement;

      if (progress != null && !options.quiet()) {
        progress.println(String.format(Locale.US, "%s; auditing %,d orders", stuck.isEmpty() ? "drained" : "stuck",
            started - rejected.sum()));
        progress.flush();
      }
      long auditStart = System.nanoTime();
      AuditReport audit = new PipelineAudit(orderStore, inventory, payments, notifications).audit(acceptedIds());
      long auditNanos = System.nanoTime() - auditStart;

      return new SimulationResult(oms.bus().brokerName(), orders, options.seed(), started - rejected.sum(),
          rejected.sum(), firstRejection.get(), fulfilled.sum(), outOfStock.sum(), declined.sum(),
          duplicateTerminals.sum(), elapsed, checkoutAck.total(), endToEnd.total(), audit, auditNanos,
          oms.deadLetters().list().size(), List.copyOf(stuck));
    } finally {
      oms.close(Duration.ofSeconds(5));
    }
  }

  private void subscribeProbe(Oms oms) {
    // Dedup off: the probe is idempotent by itself (an order finishes once in the tracker).
    ConsumerGroup group = ConsumerGroup.builder(PROBE_GROUP)
        .policy(DeliveryPolicy.builder().dedupCapacity(0).build())
        .build();
    oms.bus().subscribe(group, EventHandlers.builder()
        .on(OrderFulfilled.TYPE, (event, ctx) -> onTerminal(event.orderId(), null))
        .on(OrderCancelled.TYPE, (event, ctx) -> onTerminal(event.orderId(), event.reason()))
        .build());
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
    permits.release();
  }

  private void placeAll(Oms oms, OrderGenerator generator, long orders, List<String> stuck) {
    long timeoutNanos = TimeUnit.SECONDS.toNanos(options.drainTimeoutSeconds());
    for (long i = 0; i < orders; i++) {
      long seq = generator.nextSequence();
      PlaceOrder request = generator.next();
      if (!permits.tryAcquire()) {
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
      }
      long t0 = System.nanoTime();
      tracker.started(seq, t0);
      started = seq + 1;
      oms.checkout().placeOrderAsync(request).whenComplete((ack, error) -> {
        if (error == null) {
          checkoutAck.record(System.nanoTime() - t0);
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
    permits.release();
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
