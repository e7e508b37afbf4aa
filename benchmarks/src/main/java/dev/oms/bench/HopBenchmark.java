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
 * A broker hop: events published per second by one producer (the benchmark thread) and handled by
 * every consumer, in three shapes, by OMS's in-memory broker and by the hand-wired alternatives.
 * Each invocation publishes {@value #BATCH} new events and waits until the last consumer(s)
 * handled them all, so a score is end-to-end throughput, never just enqueueing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class HopBenchmark {
  static final int BATCH = 10_000;

  @Param({"ONE_TO_ONE", "PIPELINE_3", "FAN_OUT_3"})
  public String shape;

  @Param({"oms", "disruptor", "abq", "guava", "guavaAsync"})
  public String impl;

  private HopRig rig;
  private long seq;

  @Setup(Level.Trial)
  public void setUp() {
    rig = HopRig.create(impl, HopRig.Shape.valueOf(shape));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    rig.close();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void hop() {
    HopRig r = rig;
    long s = seq;
    for (int i = 0; i < BATCH; i++) {
      r.publish(Fixtures.hopEvent(s++));
    }
    seq = s;
    r.awaitAll(s);
  }
}
