package dev.oms.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The full order pipeline in memory, in orders per second: OMS (every delivery guarantee on), the
 * same services as plain method calls (the no-broker bound) and hand-wired on Disruptor rings (the
 * tuned-by-hand bound), each with and without CloudEvents JSON on every hop. Every order takes the
 * happy path (paid, reserved, shipped, fulfilled: six events, 17 deliveries with the completion probe). Each invocation places
 * {@value #BATCH} orders from the benchmark thread and waits until all of them finished. Every
 * iteration starts on fresh ports, because the in-memory ports keep every order.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class PipelineBenchmark {
  static final int BATCH = 1_000;

  @Param({"oms", "disruptor", "direct"})
  public String impl;

  /** Events as objects, or CloudEvents JSON on every hop (encoded once per publish, decoded per consumer). */
  @Param({"objects", "json"})
  public String payload;

  /** OMS's in-memory ports (they keep every order of the run), or {@link LeanPorts} (they keep none). */
  @Param({"inMemory", "lean"})
  public String ports;

  private PipelineRig rig;
  private long placed;

  @Setup(Level.Iteration)
  public void setUp() {
    rig = PipelineRig.create(impl, payload.equals("json"), new Wiring.Ports(ports.equals("lean")));
    placed = 0;
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    rig.close();
    rig = null;
    System.gc(); // the iteration's orders go with its ports, not into the next iteration's time
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void orders() {
    PipelineRig r = rig;
    for (int i = 0; i < BATCH; i++) {
      r.place(Fixtures.ORDER);
    }
    placed += BATCH;
    r.terminal.await(placed);
  }
}
