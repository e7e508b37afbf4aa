package dev.oms.bench;

import com.google.common.eventbus.AsyncEventBus;
import com.google.common.eventbus.EventBus;
import com.google.common.eventbus.Subscribe;
import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventTranslatorOneArg;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.EventHandlers;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderFulfilled;
import dev.oms.event.PaymentDeclined;
import dev.oms.event.ShipmentProcessed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * One way of moving events from a producer to consumers, wired in one of three shapes. Every
 * implementation handles the same {@link ShipmentProcessed} objects and does the same handler
 * work: a pipeline stage builds its follow-on event with OMS's follow-on metadata (a derived id),
 * a final consumer folds the event into a {@link Completion}.
 */
abstract class HopRig implements AutoCloseable {
  /** Ring and queue sizes of the hand-wired baselines. */
  static final int QUEUE_CAPACITY = 4096;

  enum Shape {
    /** One producer, one consumer. */
    ONE_TO_ONE,
    /** A chain of three consumers; each of the first two publishes a new event to the next. */
    PIPELINE_3,
    /** Three independent consumer groups each get every event. */
    FAN_OUT_3
  }

  final Shape shape;
  final List<Completion> finals = new ArrayList<>();

  HopRig(Shape shape) {
    this.shape = shape;
    int consumers = shape == Shape.FAN_OUT_3 ? 3 : 1;
    for (int i = 0; i < consumers; i++) {
      finals.add(new Completion());
    }
  }

  static HopRig create(String impl, Shape shape) {
    return switch (impl) {
      case "oms" -> new Oms(shape);
      case "disruptor" -> new DisruptorRig(shape);
      case "abq" -> new Abq(shape);
      case "guava" -> new Guava(shape, false);
      case "guavaAsync" -> new Guava(shape, true);
      default -> throw new IllegalArgumentException("unknown implementation " + impl);
    };
  }

  abstract void publish(ShipmentProcessed event);

  /** Waits until every final consumer handled {@code published} events. */
  final void awaitAll(long published) {
    for (Completion c : finals) {
      c.await(published);
    }
  }

  @Override
  public abstract void close();

  static ThreadFactory daemons(String prefix) {
    return r -> {
      Thread t = new Thread(r, prefix + "-" + System.identityHashCode(r));
      t.setDaemon(true);
      return t;
    };
  }

  // ---------------------------------------------------------------- OMS

  /** The OMS event bus on its embedded in-memory broker, defaults throughout (dedup on). */
  static final class Oms extends HopRig {
    private final dev.oms.broker.EventBus bus = dev.oms.broker.EventBus.builder().build();

    Oms(Shape shape) {
      super(shape);
      switch (shape) {
        case ONE_TO_ONE -> subscribe("c1", EventHandlers.builder()
            .on(ShipmentProcessed.TYPE, (e, ctx) -> finals.get(0).arrive(e)).build());
        case PIPELINE_3 -> {
          subscribe("s1", EventHandlers.builder()
              .on(ShipmentProcessed.TYPE, (e, ctx) -> ctx.publish(Fixtures.stage1(e, ctx.followOn()))).build());
          subscribe("s2", EventHandlers.builder()
              .on(OrderFulfilled.TYPE, (e, ctx) -> ctx.publish(Fixtures.stage2(e, ctx.followOn()))).build());
          subscribe("s3", EventHandlers.builder()
              .on(PaymentDeclined.TYPE, (e, ctx) -> finals.get(0).arrive(e)).build());
        }
        case FAN_OUT_3 -> {
          for (int i = 0; i < 3; i++) {
            Completion c = finals.get(i);
            subscribe("g" + i, EventHandlers.builder().on(ShipmentProcessed.TYPE, (e, ctx) -> c.arrive(e)).build());
          }
        }
      }
    }

    private void subscribe(String name, EventHandlers handlers) {
      // One lane per group: one consumer, like the single consumer thread of every baseline.
      bus.subscribe(ConsumerGroup.builder(name).concurrency(1).policy(Fixtures.policy()).build(), handlers);
    }

    @Override
    void publish(ShipmentProcessed event) {
      java.util.concurrent.CompletableFuture<Void> accepted = bus.publish(event).toCompletableFuture();
      if (accepted.isCompletedExceptionally()) {
        throw new IllegalStateException("publish refused: " + accepted);
      }
    }

    @Override
    public void close() {
      bus.close(Duration.ofSeconds(10));
    }
  }

  // ---------------------------------------------------------------- Disruptor

  /** LMAX Disruptor 4: one ring, consumers chained (pipeline) or side by side (fan-out). */
  static final class DisruptorRig extends HopRig {
    /** A ring slot: the published event and what the pipeline stages made of it. */
    static final class Slot {
      ShipmentProcessed first;
      OrderFulfilled second;
      PaymentDeclined third;
    }

    private static final EventTranslatorOneArg<Slot, ShipmentProcessed> PUT = (slot, seq, e) -> slot.first = e;

    private final Disruptor<Slot> disruptor;
    private final RingBuffer<Slot> ring;

    @SuppressWarnings("unchecked")
    DisruptorRig(Shape shape) {
      super(shape);
      // Busy threads never outnumber the cores: one consumer spins politely (yields), three block.
      WaitStrategy wait = shape == Shape.ONE_TO_ONE ? new YieldingWaitStrategy() : new BlockingWaitStrategy();
      disruptor = new Disruptor<>(Slot::new, QUEUE_CAPACITY, daemons("disruptor"), ProducerType.SINGLE, wait);
      switch (shape) {
        case ONE_TO_ONE -> disruptor.handleEventsWith((EventHandler<Slot>) (slot, seq, end) -> {
          finals.get(0).arrive(slot.first);
          slot.first = null;
        });
        case PIPELINE_3 -> disruptor
            .handleEventsWith((EventHandler<Slot>) (slot, seq, end) ->
                slot.second = Fixtures.stage1(slot.first, Fixtures.followOn(slot.first, "s1", 0)))
            .then((EventHandler<Slot>) (slot, seq, end) ->
                slot.third = Fixtures.stage2(slot.second, Fixtures.followOn(slot.second, "s2", 0)))
            .then((EventHandler<Slot>) (slot, seq, end) -> {
              finals.get(0).arrive(slot.third);
              slot.first = null;
              slot.second = null;
              slot.third = null;
            });
        case FAN_OUT_3 -> disruptor.handleEventsWith(
            (EventHandler<Slot>) (slot, seq, end) -> finals.get(0).arrive(slot.first),
            (EventHandler<Slot>) (slot, seq, end) -> finals.get(1).arrive(slot.first),
            (EventHandler<Slot>) (slot, seq, end) -> finals.get(2).arrive(slot.first));
      }
      ring = disruptor.start();
    }

    @Override
    void publish(ShipmentProcessed event) {
      ring.publishEvent(PUT, event);
    }

    @Override
    public void close() {
      disruptor.halt();
    }
  }

  // ---------------------------------------------------------------- ArrayBlockingQueue

  /** ArrayBlockingQueue hand-offs, one consumer thread per queue. */
  static final class Abq extends HopRig {
    private static final OrderEvent STOP = Fixtures.hopEvent(-1);

    private final List<BlockingQueue<OrderEvent>> inputs = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    Abq(Shape shape) {
      super(shape);
      switch (shape) {
        case ONE_TO_ONE -> {
          BlockingQueue<OrderEvent> q = queue();
          inputs.add(q);
          start(q, e -> finals.get(0).arrive(e));
        }
        case PIPELINE_3 -> {
          BlockingQueue<OrderEvent> q1 = queue();
          BlockingQueue<OrderEvent> q2 = queue();
          BlockingQueue<OrderEvent> q3 = queue();
          inputs.add(q1);
          start(q1, e -> put(q2, Fixtures.stage1((ShipmentProcessed) e, Fixtures.followOn(e, "s1", 0))));
          start(q2, e -> put(q3, Fixtures.stage2((OrderFulfilled) e, Fixtures.followOn(e, "s2", 0))));
          start(q3, e -> finals.get(0).arrive(e));
        }
        case FAN_OUT_3 -> {
          for (int i = 0; i < 3; i++) {
            BlockingQueue<OrderEvent> q = queue();
            inputs.add(q);
            Completion c = finals.get(i);
            start(q, c::arrive);
          }
        }
      }
    }

    private static BlockingQueue<OrderEvent> queue() {
      return new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    }

    private interface Step {
      void accept(OrderEvent e) throws InterruptedException;
    }

    private void start(BlockingQueue<OrderEvent> in, Step step) {
      Thread t = new Thread(() -> {
        try {
          for (OrderEvent e = in.take(); e != STOP; e = in.take()) {
            step.accept(e);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "abq-consumer-" + threads.size());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }

    private static void put(BlockingQueue<OrderEvent> q, OrderEvent e) throws InterruptedException {
      q.put(e);
    }

    @Override
    void publish(ShipmentProcessed event) {
      try {
        for (int i = 0; i < inputs.size(); i++) {
          inputs.get(i).put(event);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      for (Thread t : threads) {
        t.interrupt();
      }
    }
  }

  // ---------------------------------------------------------------- Guava

  /**
   * Guava's EventBus (handlers run on the posting thread) or AsyncEventBus (on an executor with
   * one thread per core). Subscribers use Guava's default: one event at a time per subscriber.
   */
  static final class Guava extends HopRig {
    private final EventBus bus;
    private final ExecutorService executor;

    Guava(Shape shape, boolean async) {
      super(shape);
      if (async) {
        executor = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), daemons("guava-async"));
        bus = new AsyncEventBus("bench", executor);
      } else {
        executor = null;
        bus = new EventBus("bench");
      }
      switch (shape) {
        case ONE_TO_ONE -> bus.register(new Final(finals.get(0)));
        case PIPELINE_3 -> {
          bus.register(new Stage1(bus));
          bus.register(new Stage2(bus));
          bus.register(new Stage3(finals.get(0)));
        }
        case FAN_OUT_3 -> {
          for (int i = 0; i < 3; i++) {
            bus.register(new Final(finals.get(i)));
          }
        }
      }
    }

    /** A final consumer of the published events. */
    public static final class Final {
      private final Completion completion;

      Final(Completion completion) {
        this.completion = completion;
      }

      @Subscribe
      public void on(ShipmentProcessed e) {
        completion.arrive(e);
      }
    }

    public static final class Stage1 {
      private final EventBus bus;

      Stage1(EventBus bus) {
        this.bus = bus;
      }

      @Subscribe
      public void on(ShipmentProcessed e) {
        bus.post(Fixtures.stage1(e, Fixtures.followOn(e, "s1", 0)));
      }
    }

    public static final class Stage2 {
      private final EventBus bus;

      Stage2(EventBus bus) {
        this.bus = bus;
      }

      @Subscribe
      public void on(OrderFulfilled e) {
        bus.post(Fixtures.stage2(e, Fixtures.followOn(e, "s2", 0)));
      }
    }

    public static final class Stage3 {
      private final Completion completion;

      Stage3(Completion completion) {
        this.completion = completion;
      }

      @Subscribe
      public void on(PaymentDeclined e) {
        completion.arrive(e);
      }
    }

    @Override
    void publish(ShipmentProcessed event) {
      bus.post(event);
    }

    @Override
    public void close() {
      if (executor != null) {
        executor.shutdownNow();
        try {
          executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
