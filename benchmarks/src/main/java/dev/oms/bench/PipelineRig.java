package dev.oms.bench;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.oms.Oms;
import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.codec.EventCodec;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderFulfilled;
import dev.oms.memory.InMemoryBroker;
import dev.oms.service.PlaceOrder;
import java.time.Duration;

/**
 * The whole order pipeline (checkout, inventory, order/payment, fulfillment, warehouse,
 * notification and the order view) on fresh in-memory ports, one way or another. A final consumer
 * of {@code OrderFulfilled}/{@code OrderCancelled} counts finished orders in a {@link Completion}.
 */
abstract class PipelineRig implements AutoCloseable {
  final Completion terminal = new Completion();

  static PipelineRig create(String impl, boolean json, Wiring.Ports ports) {
    return switch (impl) {
      case "oms" -> new OmsRig(json, ports);
      case "direct" -> new Direct(json, ports);
      case "disruptor" -> new DisruptorRig(json, ports);
      default -> throw new IllegalArgumentException("unknown implementation " + impl);
    };
  }

  /** Places one order; returns once it was accepted (it finishes later, or at once). */
  abstract void place(PlaceOrder request);

  @Override
  public abstract void close();

  // ---------------------------------------------------------------- OMS

  /**
   * OMS as an integrator runs it: {@code Oms.builder()} with the in-memory ports, every delivery
   * guarantee on (deduplication, retries, dead letters, per-order lanes), one lane per core in
   * every group; with {@code json}, a byte-moving adapter puts CloudEvents JSON on every hop.
   */
  static final class OmsRig extends PipelineRig {
    private final Oms oms;

    OmsRig(boolean json, Wiring.Ports ports) {
      Oms.Builder builder = Oms.builder()
          .inventory(ports.inventory)
          .paymentGateway(ports.payments)
          .paymentLedger(ports.ledger)
          .warehouse(ports.warehouse)
          .notificationChannel(ports.notifications)
          .orderStore(ports.orders)
          .deliveryPolicy(Fixtures.policy());
      if (json) {
        builder.bus(EventBus.builder().broker(new JsonOnEveryHop(InMemoryBroker.ofDefaults())).build());
      }
      oms = builder.build();
      oms.bus().subscribe(ConsumerGroup.builder("probe").policy(Fixtures.policy()).build(), EventHandlers.builder()
          .on(OrderFulfilled.TYPE, (e, ctx) -> terminal.arrive(e))
          .on(OrderCancelled.TYPE, (e, ctx) -> terminal.arrive(e))
          .build());
    }

    @Override
    void place(PlaceOrder request) {
      oms.placeOrder(request);
    }

    @Override
    public void close() {
      oms.close(Duration.ofSeconds(30));
    }
  }

  // ---------------------------------------------------------------- plain method calls

  /** The no-broker bound: the same services as plain method calls on the benchmark thread. */
  static final class Direct extends PipelineRig {
    private final Wiring wiring;

    Direct(boolean json, Wiring.Ports ports) {
      wiring = new Wiring(ports, terminal, json ? EventCodec.ofDefaults() : null);
    }

    @Override
    void place(PlaceOrder request) {
      wiring.run(wiring.wire(Fixtures.orderCreated(request)));
    }

    @Override
    public void close() {}
  }

  // ---------------------------------------------------------------- Disruptor

  /**
   * The tuned-by-hand bound: the same services hand-wired on LMAX Disruptor rings. Orders are
   * partitioned over one ring per core by order id; each ring's single consumer thread runs every
   * service of its orders by plain method calls (the Disruptor "business logic processor"), so an
   * order's events stay in order and busy consumer threads never outnumber the cores. No
   * deduplication, retries or dead letters.
   */
  static final class DisruptorRig extends PipelineRig {
    static final int RING = 1 << 14;

    /** A ring slot: an OrderCreated object, or its JSON record. */
    static final class Slot {
      Object wire;
    }

    private final Disruptor<Slot>[] disruptors;
    private final RingBuffer<Slot>[] rings;
    private final Wiring producerSide;

    @SuppressWarnings("unchecked")
    DisruptorRig(boolean json, Wiring.Ports ports) {
      EventCodec codec = json ? EventCodec.ofDefaults() : null;
      producerSide = new Wiring(ports, terminal, codec);
      int partitions = Runtime.getRuntime().availableProcessors();
      disruptors = new Disruptor[partitions];
      rings = new RingBuffer[partitions];
      for (int p = 0; p < partitions; p++) {
        Wiring wiring = new Wiring(ports, terminal, codec);
        disruptors[p] = new Disruptor<>(Slot::new, RING, HopRig.daemons("pipeline-disruptor"), ProducerType.SINGLE,
            new YieldingWaitStrategy());
        disruptors[p].handleEventsWith((EventHandler<Slot>) (slot, seq, end) -> {
          Object wire = slot.wire;
          slot.wire = null;
          wiring.run(wire);
        });
        rings[p] = disruptors[p].start();
      }
    }

    @Override
    void place(PlaceOrder request) {
      dev.oms.event.OrderCreated created = Fixtures.orderCreated(request);
      Object wire = producerSide.wire(created);
      int h = created.orderId().hashCode();
      RingBuffer<Slot> ring = rings[((h ^ (h >>> 16)) & 0x7fffffff) % rings.length];
      long seq = ring.next();
      ring.get(seq).wire = wire;
      ring.publish(seq);
    }

    @Override
    public void close() {
      for (Disruptor<Slot> d : disruptors) {
        d.halt();
      }
    }
  }
}
