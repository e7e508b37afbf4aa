package dev.oms.simulator;

import dev.oms.broker.DeliveryListener;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.codec.EventCodec;
import dev.oms.event.OrderEvent;
import dev.oms.service.OrderViewProjection;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The run's {@link DeliveryListener}: counts retries and dead letters, and with {@code --events-out}
 * writes every event once, as CloudEvents structured JSON, one object per line. "Once" comes from
 * listening to the order read model's group, which subscribes to every event type and skips
 * duplicates, so each event id is written when that group has handled it.
 */
final class RunListener implements DeliveryListener, AutoCloseable {
  final LongAdder retries = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  final LongAdder eventsWritten = new LongAdder();
  private final AtomicReference<String> firstRetry = new AtomicReference<>();
  private final OutputStream out;
  private final Path path;
  private volatile EventCodec codec = EventCodec.ofDefaults();
  private IOException failure;

  RunListener(Path eventsOut) throws IOException {
    this.path = eventsOut;
    if (eventsOut != null) {
      Path parent = eventsOut.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      this.out = new BufferedOutputStream(Files.newOutputStream(eventsOut), 1 << 20);
    } else {
      this.out = null;
    }
  }

  void codec(EventCodec codec) {
    this.codec = codec;
  }

  @Override
  public void onHandled(String group, OrderEvent event, int attempt, long nanos) {
    if (out != null && OrderViewProjection.GROUP.equals(group)) {
      byte[] json = codec.encode(event);
      synchronized (this) {
        try {
          out.write(json);
          out.write('\n');
          eventsWritten.increment();
        } catch (IOException e) {
          if (failure == null) {
            failure = e;
          }
        }
      }
    }
  }

  @Override
  public void onRetry(String group, OrderEvent event, int attempt, Throwable error) {
    retries.increment();
    firstRetry.compareAndSet(null, group + ": " + error.getMessage());
  }

  @Override
  public void onDeadLettered(DeadLetter deadLetter) {
    deadLettered.increment();
  }

  String firstRetry() {
    return firstRetry.get();
  }

  Path path() {
    return path;
  }

  @Override
  public synchronized void close() throws IOException {
    if (out != null) {
      out.close();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
