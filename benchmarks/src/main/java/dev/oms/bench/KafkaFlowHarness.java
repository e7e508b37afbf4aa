package dev.oms.bench;

import dev.oms.codec.EventCodec;
import dev.oms.kafka.KafkaBrokerConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * What Kafka allows for OMS's record flow: a raw kafka-clients pipeline that replays the records a
 * simulator run produced ({@link RecordedFlow}), with the adapter's topic layout (one topic keyed by
 * order id, the adapter's default partition count), CloudEvents binary headers, producer and
 * consumer settings, and the simulator's consumer groups ({@link FlowGroups}), each a
 * {@link FlowGroup} that decodes what it handles with OMS's codec and sends the recorded follow-on
 * events, encoded with OMS's codec, without waiting for acks. Checkout (this thread) keeps at most
 * {@code --in-flight} orders unfinished ({@link ClosedLoop}), like {@code simulate --max-in-flight}.
 *
 * <p>Orders/s = orders / (first OrderCreated sent .. last order finished), as the simulator
 * measures (first arrival .. last terminal event seen by its probe group).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.oms.bench.KafkaFlowHarness --bootstrap HOST:PORT
 *     --flow EVENTS.jsonl [--orders N] [--in-flight 2000] [--warmup-orders 5000] [--topic T]
 *     [--group-prefix oms.] [--partitions 12] [--server-pid PID] [--timeout 60]</pre>
 *
 * The flow comes from {@code simulate --profile steady --orders N --rate 100000 --max-in-flight 2000
 * --no-faults --events-out EVENTS.jsonl}; {@code benchmarks/kafka-flow} does it all, side by side
 * with the simulator on the same Kafka.
 */
public final class KafkaFlowHarness {
  private final String bootstrap;
  private final RecordedFlow flow;
  private final int inFlight;
  private final int partitions;
  private final long timeoutNanos;
  private final Long serverPid;
  private final EventCodec codec;
  private final FlowProducer producer;

  private KafkaFlowHarness(String bootstrap, RecordedFlow flow, int inFlight, int partitions, long timeoutSeconds,
      Long serverPid, EventCodec codec) {
    this.bootstrap = bootstrap;
    this.flow = flow;
    this.inFlight = inFlight;
    this.partitions = partitions;
    this.timeoutNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds);
    this.serverPid = serverPid;
    this.codec = codec;
    this.producer = new FlowProducer(bootstrap, codec);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    KafkaBrokerConfig adapterDefaults = KafkaBrokerConfig.ofDefaults();
    String bootstrap = required(o, "--bootstrap");
    Path file = Path.of(required(o, "--flow"));
    int inFlight = Integer.parseInt(o.getOrDefault("--in-flight", "2000"));
    int partitions = Integer.parseInt(o.getOrDefault("--partitions", Integer.toString(adapterDefaults.partitions())));
    int warmup = Integer.parseInt(o.getOrDefault("--warmup-orders", "5000"));
    String topic = o.getOrDefault("--topic", "oms.flow." + UUID.randomUUID());
    String prefix = o.getOrDefault("--group-prefix", adapterDefaults.groupIdPrefix());
    long timeout = Long.parseLong(o.getOrDefault("--timeout", "60"));
    Long serverPid = o.containsKey("--server-pid") ? Long.valueOf(o.get("--server-pid")) : null;

    EventCodec codec = EventCodec.ofDefaults();
    long t0 = System.nanoTime();
    RecordedFlow flow = RecordedFlow.load(file, codec);
    int orders = Integer.parseInt(o.getOrDefault("--orders", Integer.toString(flow.orders())));
    if (orders < 1 || orders > flow.orders()) {
      throw new IllegalArgumentException("--orders must be 1.." + flow.orders() + " (the recording's orders), was " + orders);
    }
    System.out.printf(Locale.US, "flow: %s, %,d orders, %,d records (%.2f per order), loaded in %.1f s%n", file,
        flow.orders(), flow.records(flow.orders()), (double) flow.records(flow.orders()) / flow.orders(),
        (System.nanoTime() - t0) / 1e9);
    flow.typeCounts().forEach((type, n) -> System.out.printf(Locale.US, "  %-28s %,9d  (%s)%n", type, n,
        FlowGroups.producerOf(type)));
    System.out.printf(Locale.US, "groups (Kafka group id = %s<group>; each reads every record, decodes only its types):%n",
        prefix);
    FlowGroups.subscriptions().forEach((group, types) ->
        System.out.printf(Locale.US, "  %-16s %s%n", group, String.join(", ", types)));
    System.gc(); // the recording's garbage, before anything is timed

    KafkaFlowHarness harness = new KafkaFlowHarness(bootstrap, flow, inFlight, partitions, timeout, serverPid, codec);
    boolean ok;
    try {
      if (warmup > 0) {
        Pass w = harness.run(topic + ".warmup", prefix + "warmup.", Math.min(warmup, orders));
        System.out.printf(Locale.US, "warm-up (JIT of these clients and of the broker): %,d orders, %,.0f orders/s%n",
            w.orders, w.ordersPerSecond());
      }
      Pass pass = harness.run(topic, prefix, orders);
      pass.print(System.out);
      ok = pass.problem == null;
    } finally {
      harness.producer.close();
    }
    System.exit(ok ? 0 : 1);
  }

  /** One run of the flow's first {@code orders} orders on a new topic, with new groups. */
  private Pass run(String topic, String groupIdPrefix, int orders) throws Exception {
    createTopic(topic);
    ClosedLoop loop = new ClosedLoop(inFlight, orders);
    List<FlowGroup> groups = new ArrayList<>();
    FlowGroups.subscriptions().forEach((name, types) -> groups.add(new FlowGroup(name, types,
        flow.followOnsOf(name), name.equals(FlowGroups.PROBE) ? event -> finish(loop, event.orderId()) : null,
        bootstrap, groupIdPrefix, topic, partitions, producer, codec)));
    groups.forEach(FlowGroup::start);
    Pass pass = new Pass(topic, orders, flow.records(orders), groups);
    try {
      awaitAssigned(groups);
      long sentBefore = producer.sent();
      long cpuBefore = processCpuNanos();
      long serverBefore = serverCpuNanos();
      pass.start = System.nanoTime();
      for (int i = 0; i < orders && pass.problem == null; i++) {
        while (!loop.place(100, TimeUnit.MILLISECONDS)) {
          pass.problem = failure(groups, loop, pass.start);
          if (pass.problem != null) {
            break;
          }
        }
        if (pass.problem == null) {
          producer.send(topic, flow.order(i));
        }
      }
      while (pass.problem == null && loop.finished() < orders) {
        Thread.sleep(5);
        pass.problem = failure(groups, loop, pass.start);
      }
      pass.end = loop.finished() == orders ? loop.lastFinishNanos() : System.nanoTime();
      pass.clientCpu = processCpuNanos() - cpuBefore;
      pass.serverCpu = serverBefore < 0 ? -1 : serverCpuNanos() - serverBefore;
      pass.finished = loop.finished();
      if (pass.problem == null) {
        pass.problem = awaitDrained(groups, pass.records);
      }
      pass.produced = producer.sent() - sentBefore;
    } finally {
      for (FlowGroup g : groups) {
        g.close();
      }
    }
    return pass;
  }

  private void finish(ClosedLoop loop, String orderId) {
    int i = flow.indexOf(orderId);
    if (i >= 0) {
      loop.finish(i);
    }
  }

  /** What stops the run: a failed send, a dead group, or no order finished for the timeout. */
  private String failure(List<FlowGroup> groups, ClosedLoop loop, long start) {
    if (producer.failure() != null) {
      return "a send failed: " + producer.failure();
    }
    for (FlowGroup g : groups) {
      if (g.failure() != null) {
        return "group " + g.name() + " stopped: " + g.failure();
      }
    }
    long last = loop.finished() == 0 ? start : loop.lastFinishNanos();
    if (System.nanoTime() - last > timeoutNanos) {
      return String.format(Locale.US, "stuck: no order finished for %d s (%,d finished)",
          TimeUnit.NANOSECONDS.toSeconds(timeoutNanos), loop.finished());
    }
    return null;
  }

  private void awaitAssigned(List<FlowGroup> groups) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (!groups.stream().allMatch(FlowGroup::assigned)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the consumer groups did not get their partitions within the timeout");
      }
      Thread.sleep(10);
    }
  }

  /** Waits until every group read every record of the pass (the tail after the last terminal). */
  private String awaitDrained(List<FlowGroup> groups, long records) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (!groups.stream().allMatch(g -> g.read() >= records)) {
      if (System.nanoTime() > deadline) {
        StringBuilder s = new StringBuilder("not drained:");
        groups.forEach(g -> s.append(' ').append(g.name()).append('=').append(g.read()));
        return s.append(" of ").append(records).toString();
      }
      Thread.sleep(10);
    }
    return null;
  }

  private void createTopic(String topic) throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    KafkaTopics.create(props, topic, partitions, (short) -1); // as the adapter creates it
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** The Kafka server's CPU time (user + system) from /proc, or -1 without {@code --server-pid}. */
  private long serverCpuNanos() throws IOException {
    if (serverPid == null) {
      return -1;
    }
    String stat = Files.readString(Path.of("/proc", serverPid.toString(), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
    return ticks * 10_000_000L; // USER_HZ is 100 on Linux
  }

  private static Map<String, String> options(String[] args) {
    Set<String> known = Set.of("--bootstrap", "--flow", "--orders", "--in-flight", "--partitions", "--warmup-orders",
        "--topic", "--group-prefix", "--timeout", "--server-pid");
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!known.contains(args[i]) || i + 1 == args.length) {
        throw new IllegalArgumentException("unknown option or missing value: " + args[i] + "; options: " + known);
      }
      o.put(args[i], args[++i]);
    }
    return o;
  }

  private static String required(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    return v;
  }

  /** The figures of one run. */
  private static final class Pass {
    final String topic;
    final int orders;
    final long records;
    final List<FlowGroup> groups;
    long start;
    long end;
    int finished;
    long produced;
    long clientCpu;
    long serverCpu;
    String problem;

    Pass(String topic, int orders, long records, List<FlowGroup> groups) {
      this.topic = topic;
      this.orders = orders;
      this.records = records;
      this.groups = groups;
    }

    double seconds() {
      return (end - start) / 1e9;
    }

    double ordersPerSecond() {
      return finished / seconds();
    }

    void print(java.io.PrintStream out) {
      out.printf(Locale.US, "topic %s: %,d of %,d orders finished in %.2f s (first OrderCreated sent .. last "
          + "terminal read by %s)%n", topic, finished, orders, seconds(), FlowGroups.PROBE);
      out.printf(Locale.US, "records produced %,d of %,d (%,.0f/s)%n", produced, records, produced / seconds());
      out.printf(Locale.US, "  %-16s %10s %10s %10s %10s%n", "group", "read", "read/s", "handled", "handled/s");
      for (FlowGroup g : groups) {
        double s = Math.max(g.lastReadNanos() - start, 1) / 1e9; // to the group's last read (it may trail)
        out.printf(Locale.US, "  %-16s %,10d %,10.0f %,10d %,10.0f%n", g.name(), g.read(), g.read() / s, g.handled(),
            g.handled() / s);
      }
      // CPU per order holds still on a busy machine, where orders/s does not.
      out.printf(Locale.US, "CPU over that span: harness JVM %.2f cores, %.3f ms per order%s%n",
          clientCpu / 1e9 / seconds(), clientCpu / 1e6 / finished, serverCpu < 0 ? "" : String.format(Locale.US,
              "; Kafka server %.2f cores, %.3f ms per order", serverCpu / 1e9 / seconds(), serverCpu / 1e6 / finished));
      if (problem != null) {
        out.println("FAILED: " + problem);
      }
      out.printf(Locale.US, "harness orders/s: %.1f%n", ordersPerSecond());
    }
  }
}
