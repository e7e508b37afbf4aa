package dev.oms.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The quick mode: every benchmark once, 1 fork, one short warm-up and one short measurement,
 * with the allocation profiler, then the report. It proves the benchmarks build and run (CI runs
 * it) in 60-90 s on 2 cores; its numbers are not for publishing.
 *
 * <p>{@link KafkaBenchmark} is left out unless the include regex is given and names it: each of
 * its six trials starts a Kafka broker (a child JVM), ~15 s apiece before any measurement, ~1.5 min
 * in all even with quick iterations. {@code Quick Kafka} runs it alone in quick mode.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.oms.bench.Quick [regex] [result.json]</pre>
 */
public final class Quick {
  private Quick() {}

  public static void main(String[] args) throws Exception {
    String include = args.length > 0 ? args[0] : "dev\\.oms\\.bench\\..*";
    Path json = args.length > 1 ? Path.of(args[1]) : Files.createTempFile("oms-benchmarks-quick-", ".json");
    long start = System.nanoTime();
    OptionsBuilder builder = new OptionsBuilder();
    if (!include.contains("Kafka")) {
      builder.exclude("KafkaBenchmark"); // a Kafka broker per trial: too slow for CI's quick mode
    }
    Options options = builder
        .include(include)
        .forks(1)
        .warmupIterations(1)
        .warmupTime(TimeValue.milliseconds(300))
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(500))
        .addProfiler("gc")
        .shouldFailOnError(true)
        .resultFormat(ResultFormatType.JSON)
        .result(json.toString())
        .build();
    int results = new Runner(options).run().size();
    if (results == 0) {
      System.err.println("quick mode: no benchmark matched " + include);
      System.exit(1);
    }
    System.out.println();
    System.out.printf("quick mode: %d benchmarks in %d s; results in %s (not for publishing)%n", results,
        (System.nanoTime() - start) / 1_000_000_000L, json);
    System.out.println();
    Report.main(new String[] {json.toString()});
  }
}
