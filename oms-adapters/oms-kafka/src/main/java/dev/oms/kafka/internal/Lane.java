package dev.oms.kafka.internal;

import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.RecordHandler;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker of a consumer group: handles the records of the keys hashed to it, one at a time and
 * in order. A blocking queue is fine here: each record already costs a network round trip for its
 * follow-on events. A handler that throws gets the same record again after a pause (the SPI's
 * redelivery), so later records of that key wait behind it.
 */
final class Lane implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Lane.class);
  private static final long MAX_PAUSE_MILLIS = 1_000;

  private final String group;
  private final RecordHandler handler;
  private final AtomicInteger inFlight;
  private final BlockingQueue<InFlightRecord> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean stopping;
  private volatile boolean aborted;

  Lane(String group, int index, RecordHandler handler, AtomicInteger inFlight) {
    this.group = group;
    this.handler = handler;
    this.inFlight = inFlight;
    this.thread = new Thread(this, "oms-kafka-" + group + "-" + index);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void submit(InFlightRecord record) {
    queue.add(record);
  }

  /** Finish what is queued, then stop. */
  void stop() {
    stopping = true;
  }

  /** Stop now, finishing nothing more: a crash as far as Kafka can tell. */
  void abort() {
    aborted = true;
    thread.interrupt();
  }

  boolean join(long millis) throws InterruptedException {
    thread.join(Math.max(1, millis));
    return !thread.isAlive();
  }

  @Override
  public void run() {
    try {
      while (!aborted) {
        InFlightRecord next = queue.poll(50, TimeUnit.MILLISECONDS);
        if (next == null) {
          if (stopping) {
            return;
          }
          continue;
        }
        if (handle(next)) {
          next.done = true;
          inFlight.decrementAndGet();
        }
      }
    } catch (InterruptedException e) {
      // aborted: what is not done stays uncommitted and comes back to whoever owns the partition next
    }
  }

  private boolean handle(InFlightRecord next) throws InterruptedException {
    BrokerRecord record = CloudEventsHeaders.toBrokerRecord(next.record.key(), next.record.headers(), next.record.value());
    long pause = 10;
    while (!aborted) {
      try {
        dev.oms.broker.spi.Outcome outcome =
            handler.deliver(record, dev.oms.broker.spi.DeliveryInfo.UNKNOWN).toCompletableFuture().join();
        if (outcome.isSettled()) {
          return true;
        }
        throw new IllegalStateException("not settled: " + outcome, outcome.cause());
      } catch (Exception e) {
        if (aborted) {
          return false;
        }
        log.warn("group {}: handler rejected {} (partition {}, offset {}); delivering it again in {} ms: {}",
            group, record, next.partition, next.offset, pause, e.toString());
        Thread.sleep(pause); // backoff before the redelivery; interrupted by abort()
        pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
      }
    }
    return false;
  }
}
