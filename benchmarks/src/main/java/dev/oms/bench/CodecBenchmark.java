package dev.oms.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.oms.codec.EventCodec;
import dev.oms.event.OrderEvent;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One event through OMS's CloudEvents JSON codec (attributes, registry lookup, upcasting, strict
 * checks) and through plain Jackson (the record as is, java.time support, nothing else), write
 * and read, in nanoseconds per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class CodecBenchmark {
  /** The largest event of the pipeline, and a typical small one. */
  @Param({"OrderCreated", "ShipmentProcessed"})
  public String event;

  private final EventCodec codec = EventCodec.ofDefaults();
  private OrderEvent sample;
  private byte[] omsBytes;
  private byte[] jacksonBytes;
  private ObjectWriter jacksonWriter;
  private ObjectReader jacksonReader;

  @Setup
  public void setUp() throws IOException {
    sample = switch (event) {
      case "OrderCreated" -> Fixtures.orderCreated(Fixtures.ORDER);
      case "ShipmentProcessed" -> Fixtures.hopEvent(42);
      default -> throw new IllegalArgumentException(event);
    };
    JsonMapper mapper = JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .build();
    jacksonWriter = mapper.writerFor(sample.getClass());
    jacksonReader = mapper.readerFor(sample.getClass());
    omsBytes = codec.encode(sample);
    jacksonBytes = jacksonWriter.writeValueAsBytes(sample);
    if (!codec.decode(omsBytes).equals(sample) || !jacksonReader.readValue(jacksonBytes).equals(sample)) {
      throw new IllegalStateException("a codec does not round-trip " + sample);
    }
  }

  @Benchmark
  public byte[] omsWrite() {
    return codec.encode(sample);
  }

  @Benchmark
  public OrderEvent omsRead() {
    return codec.decode(omsBytes);
  }

  @Benchmark
  public byte[] jacksonWrite() throws IOException {
    return jacksonWriter.writeValueAsBytes(sample);
  }

  @Benchmark
  public Object jacksonRead() throws IOException {
    return jacksonReader.readValue(jacksonBytes);
  }
}
