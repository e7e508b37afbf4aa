package dev.oms.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns JMH JSON results into the Markdown tables of BENCHMARKS.md: every score with its error,
 * each comparison as a ratio, and the targets marked met or missed.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.oms.bench.Report results.json</pre>
 */
public final class Report {
  private static final String PKG = "dev.oms.bench.";

  /** One benchmark result: its name (class.method), params, score and error, allocation per op. */
  record Row(String name, Map<String, String> params, double score, double error, String unit, double allocNorm) {}

  private final List<Row> rows;
  private final PrintStream out;
  private final List<String> targets = new ArrayList<>();

  Report(List<Row> rows, PrintStream out) {
    this.rows = rows;
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: Report <jmh-result.json>...");
      System.exit(2);
    }
    List<Row> rows = new ArrayList<>();
    for (String file : args) {
      rows.addAll(read(Path.of(file)));
    }
    new Report(rows, System.out).print();
  }

  static List<Row> read(Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    for (JsonNode r : JsonMapper.builder().build().readTree(file.toFile())) {
      String name = r.path("benchmark").asText();
      if (name.startsWith(PKG)) {
        name = name.substring(PKG.length());
      }
      Map<String, String> params = new TreeMap<>();
      r.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
      JsonNode pm = r.path("primaryMetric");
      JsonNode alloc = r.path("secondaryMetrics").path("gc.alloc.rate.norm");
      rows.add(new Row(name, params, pm.path("score").asDouble(), nanToZero(pm.path("scoreError").asDouble()),
          pm.path("scoreUnit").asText(), alloc.isMissingNode() ? Double.NaN : alloc.path("score").asDouble()));
    }
    return rows;
  }

  private static double nanToZero(double d) {
    return Double.isNaN(d) ? 0 : d;
  }

  void print() {
    hop();
    pipeline();
    codec();
    kafka();
    others();
    if (!targets.isEmpty()) {
      out.println("### Targets");
      out.println();
      for (String t : targets) {
        out.println("- " + t);
      }
      out.println();
    }
  }

  private Row find(String name, String... kv) {
    outer:
    for (Row r : rows) {
      if (!r.name.equals(name)) {
        continue;
      }
      for (int i = 0; i < kv.length; i += 2) {
        if (!kv[i + 1].equals(r.params.get(kv[i]))) {
          continue outer;
        }
      }
      return r;
    }
    return null;
  }

  // ---------------------------------------------------------------- hop

  private void hop() {
    String name = "HopBenchmark.hop";
    if (rows.stream().noneMatch(r -> r.name.equals(name))) {
      return;
    }
    String[] impls = {"oms", "disruptor", "abq", "guava", "guavaAsync"};
    out.println("### Broker hop (events published per second, end to end; higher is better)");
    out.println();
    out.println("| shape | OMS in-memory | Disruptor 4 | ArrayBlockingQueue | Guava EventBus | Guava AsyncEventBus |");
    out.println("|---|---:|---:|---:|---:|---:|");
    List<String[]> ratios = new ArrayList<>();
    for (String shape : shapes(name)) {
      StringBuilder line = new StringBuilder("| " + shape + " |");
      for (String impl : impls) {
        Row r = find(name, "shape", shape, "impl", impl);
        line.append(' ').append(r == null ? "-" : withError(r, 0)).append(" |");
      }
      out.println(line);
      Row oms = find(name, "shape", shape, "impl", "oms");
      if (oms != null) {
        ratios.add(new String[] {shape, ratio(find(name, "shape", shape, "impl", "disruptor"), oms),
            ratio(oms, find(name, "shape", shape, "impl", "guavaAsync")),
            ratio(oms, find(name, "shape", shape, "impl", "guava")),
            ratio(oms, find(name, "shape", shape, "impl", "abq"))});
        Row d = find(name, "shape", shape, "impl", "disruptor");
        Row ga = find(name, "shape", shape, "impl", "guavaAsync");
        if (d != null) {
          target(d.score / oms.score <= 1.5, "hop " + shape + ": OMS within 1.5x of the hand-wired Disruptor "
              + "(Disruptor / OMS = " + fmt(d.score / oms.score) + ")");
        }
        if (ga != null) {
          target(oms.score / ga.score >= 5, "hop " + shape + ": OMS at least 5x Guava AsyncEventBus "
              + "(OMS / AsyncEventBus = " + fmt(oms.score / ga.score) + ")");
        }
      }
    }
    out.println();
    out.println("| shape | Disruptor ÷ OMS (target ≤ 1.5) | OMS ÷ Guava async (target ≥ 5) | OMS ÷ Guava sync | OMS ÷ ABQ |");
    out.println("|---|---:|---:|---:|---:|");
    for (String[] r : ratios) {
      out.println("| " + String.join(" | ", r) + " |");
    }
    out.println();
  }

  private Set<String> shapes(String name) {
    Set<String> shapes = new LinkedHashSet<>();
    for (String s : List.of("ONE_TO_ONE", "PIPELINE_3", "FAN_OUT_3")) {
      if (find(name, "shape", s) != null) {
        shapes.add(s);
      }
    }
    return shapes;
  }

  // ---------------------------------------------------------------- pipeline

  private void pipeline() {
    String name = "PipelineBenchmark.orders";
    if (rows.stream().noneMatch(r -> r.name.equals(name))) {
      return;
    }
    out.println("### Full order pipeline (orders per second, all six services and the order view; higher is better)");
    out.println();
    out.println("| ports | payload | OMS (every guarantee on) | Disruptor, hand-wired | plain method calls, 1 thread "
        + "| Disruptor ÷ OMS (target ≤ 3) | plain calls ÷ OMS |");
    out.println("|---|---|---:|---:|---:|---:|---:|");
    boolean anyAlloc = false;
    for (String ports : List.of("inMemory", "lean")) {
      for (String payload : List.of("objects", "json")) {
        Row oms = find(name, "ports", ports, "payload", payload, "impl", "oms");
        Row dis = find(name, "ports", ports, "payload", payload, "impl", "disruptor");
        Row dir = find(name, "ports", ports, "payload", payload, "impl", "direct");
        if (oms == null && dis == null && dir == null) {
          continue;
        }
        anyAlloc |= (oms != null && !Double.isNaN(oms.allocNorm));
        out.println("| " + ports + " | " + payload + " | " + cell(oms) + " | " + cell(dis) + " | " + cell(dir)
            + " | " + ratio(dis, oms) + " | " + ratio(dir, oms) + " |");
        if (oms != null) {
          if (payload.equals("objects")) {
            target(oms.score >= 2_000_000, "pipeline (" + ports + " ports, objects): OMS at 2,000,000 orders/s or more ("
                + fmt0(oms.score) + ")");
            if (dis != null) {
              target(dis.score / oms.score <= 3, "pipeline (" + ports + " ports, objects): OMS within 3x of the "
                  + "hand-wired Disruptor (Disruptor / OMS = " + fmt(dis.score / oms.score) + ")");
            }
            if (!Double.isNaN(oms.allocNorm)) {
              target(oms.allocNorm < 400, "pipeline (" + ports + " ports, objects): under 400 bytes allocated per "
                  + "order (" + fmt0(oms.allocNorm) + " B)");
            }
          } else {
            target(oms.score >= 250_000, "pipeline (" + ports + " ports, JSON on every hop): OMS at 250,000 orders/s "
                + "or more (" + fmt0(oms.score) + ")");
          }
        }
      }
    }
    out.println();
    if (anyAlloc) {
      out.println("Bytes allocated per order, end to end (`-prof gc`, `gc.alloc.rate.norm`, every thread):");
      out.println();
      out.println("| ports | payload | OMS | Disruptor | plain calls |");
      out.println("|---|---|---:|---:|---:|");
      for (String ports : List.of("inMemory", "lean")) {
        for (String payload : List.of("objects", "json")) {
          Row oms = find(name, "ports", ports, "payload", payload, "impl", "oms");
          if (oms == null) {
            continue;
          }
          out.println("| " + ports + " | " + payload + " | " + bytes(oms) + " | "
              + bytes(find(name, "ports", ports, "payload", payload, "impl", "disruptor")) + " | "
              + bytes(find(name, "ports", ports, "payload", payload, "impl", "direct")) + " |");
        }
      }
      out.println();
    }
  }

  private static String cell(Row r) {
    return r == null ? "-" : withError(r, 0);
  }

  private static String bytes(Row r) {
    return r == null || Double.isNaN(r.allocNorm) ? "-" : fmt0(r.allocNorm) + " B";
  }

  // ---------------------------------------------------------------- codec

  private void codec() {
    if (rows.stream().noneMatch(r -> r.name.startsWith("CodecBenchmark."))) {
      return;
    }
    out.println("### Codec (nanoseconds per event; lower is better)");
    out.println();
    out.println("| event | OMS write | Jackson write | OMS ÷ Jackson (write) | OMS read | Jackson read | OMS ÷ Jackson (read) |");
    out.println("|---|---:|---:|---:|---:|---:|---:|");
    for (String event : List.of("OrderCreated", "ShipmentProcessed")) {
      Row ow = find("CodecBenchmark.omsWrite", "event", event);
      Row jw = find("CodecBenchmark.jacksonWrite", "event", event);
      Row or = find("CodecBenchmark.omsRead", "event", event);
      Row jr = find("CodecBenchmark.jacksonRead", "event", event);
      if (ow == null && or == null) {
        continue;
      }
      out.println("| " + event + " | " + withError(ow, 0) + " | " + withError(jw, 0) + " | " + ratio(ow, jw) + " | "
          + withError(or, 0) + " | " + withError(jr, 0) + " | " + ratio(or, jr) + " |");
    }
    out.println();
  }

  // ---------------------------------------------------------------- Kafka

  private void kafka() {
    if (rows.stream().noneMatch(r -> r.name.startsWith("KafkaBenchmark."))) {
      return;
    }
    out.println("### Kafka (records per second on one local Kafka 4.1.1; higher is better)");
    out.println();
    out.println("| path | OMS Kafka adapter | raw kafka-clients, pre-encoded bytes | raw kafka-clients + OMS codec "
        + "| OMS ÷ raw (target ≥ 0.9) | OMS ÷ (raw + codec) |");
    out.println("|---|---:|---:|---:|---:|---:|");
    boolean anyAlloc = false;
    for (String path : List.of("produce", "endToEnd")) {
      String name = "KafkaBenchmark." + path;
      Row oms = find(name, "impl", "oms");
      Row raw = find(name, "impl", "raw");
      Row rawCodec = find(name, "impl", "rawCodec");
      if (oms == null && raw == null && rawCodec == null) {
        continue;
      }
      anyAlloc |= oms != null && !Double.isNaN(oms.allocNorm);
      String label = path.equals("produce") ? "produce (send, every ack)" : "end to end (produce, consume, commit)";
      out.println("| " + label + " | " + cell(oms) + " | " + cell(raw) + " | " + cell(rawCodec) + " | "
          + ratio(oms, raw) + " | " + ratio(oms, rawCodec) + " |");
      if (oms != null && raw != null) {
        target(oms.score / raw.score >= 0.9, "Kafka " + path + ": OMS adapter at 0.9x or better of raw kafka-clients "
            + "(OMS / raw = " + fmt(oms.score / raw.score) + ")");
      }
    }
    out.println();
    if (anyAlloc) {
      out.println("Bytes allocated per record in the benchmark JVM (`-prof gc`; the broker's JVM is not counted):");
      out.println();
      out.println("| path | OMS | raw | raw + codec |");
      out.println("|---|---:|---:|---:|");
      for (String path : List.of("produce", "endToEnd")) {
        String name = "KafkaBenchmark." + path;
        if (find(name, "impl", "oms") == null) {
          continue;
        }
        out.println("| " + path + " | " + bytes(find(name, "impl", "oms")) + " | " + bytes(find(name, "impl", "raw"))
            + " | " + bytes(find(name, "impl", "rawCodec")) + " |");
      }
      out.println();
    }
  }

  // ---------------------------------------------------------------- anything else

  private void others() {
    List<Row> rest = rows.stream()
        .filter(r -> !r.name.startsWith("HopBenchmark.") && !r.name.startsWith("PipelineBenchmark.")
            && !r.name.startsWith("CodecBenchmark.") && !r.name.startsWith("KafkaBenchmark."))
        .toList();
    if (rest.isEmpty()) {
      return;
    }
    out.println("### Other benchmarks");
    out.println();
    out.println("| benchmark | params | score | unit |");
    out.println("|---|---|---:|---|");
    for (Row r : rest) {
      out.println("| " + r.name + " | " + r.params + " | " + withError(r, 0) + " | " + r.unit + " |");
    }
    out.println();
  }

  // ---------------------------------------------------------------- formatting

  private void target(boolean met, String what) {
    targets.add((met ? "**met**: " : "**missed**: ") + what);
  }

  private static String withError(Row r, int decimals) {
    if (r == null) {
      return "-";
    }
    String f = "%,." + decimals + "f";
    return String.format(Locale.US, f + " ± " + f, r.score, r.error);
  }

  /** a / b with the error of the quotient from the two relative errors. */
  private static String ratio(Row a, Row b) {
    if (a == null || b == null || b.score == 0) {
      return "-";
    }
    double q = a.score / b.score;
    double rel = Math.sqrt(sq(a.error / a.score) + sq(b.error / b.score));
    return String.format(Locale.US, "%.2f ± %.2f", q, q * rel);
  }

  private static double sq(double x) {
    return x * x;
  }

  private static String fmt(double x) {
    return String.format(Locale.US, "%.2f", x);
  }

  private static String fmt0(double x) {
    return String.format(Locale.US, "%,.0f", x);
  }
}
