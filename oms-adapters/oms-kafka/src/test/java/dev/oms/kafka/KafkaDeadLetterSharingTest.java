package dev.oms.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.broker.ConsumerGroup;
import dev.oms.broker.EventBus;
import dev.oms.broker.EventHandlers;
import dev.oms.broker.RedriveResult;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.event.EventMetadata;
import dev.oms.event.OutOfStock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blocking state is shared by every process of a group through the dead-letter topic: a dead
 * letter made in one process (a child JVM) holds back that order's later events in another, which
 * took over the group's partitions; and a redrive from that other process handles both, in order.
 */
class KafkaDeadLetterSharingTest {
  static final String GROUP = "stock";
  private Process processA;

  static KafkaBrokerConfig config(String bootstrap, String namespace) {
    return KafkaBrokerConfig.builder().bootstrapServers(bootstrap).topic(namespace + ".orders")
        .groupIdPrefix(namespace + ".").partitions(3).commitInterval(Duration.ofMillis(50))
        .consumerProperty("session.timeout.ms", 6_000).consumerProperty("heartbeat.interval.ms", 500).build();
  }

  @AfterEach
  void kill() {
    if (processA != null) {
      processA.destroyForcibly();
    }
  }

  @Test
  void aDeadLetterMadeInOneProcessHoldsBackItsOrderInTheNextOwnerAndARedriveThereHandlesBothInOrder()
      throws Exception {
    String bootstrap = SharedKafka.cluster().bootstrapServers();
    String namespace = SharedKafka.uniqueNamespace("dlshare");
    KafkaBrokerConfig config = config(bootstrap, namespace);
    OutOfStock first = new OutOfStock(EventMetadata.first("order-k", null), "SKU-1", 1, 0);
    OutOfStock second = new OutOfStock(EventMetadata.first("order-k", null), "SKU-1", 2, 0);

    // Process B's store is open from the start: what A writes reaches it through the topic.
    try (KafkaDeadLetterStore store = KafkaDeadLetterStore.create(config);
        EventBus bus = EventBus.builder().broker(KafkaBroker.create(config)).deadLetterStore(store).build()) {
      BlockingQueue<String> lines = startProcessA(bootstrap, namespace);
      assertThat(lines.poll(60, TimeUnit.SECONDS)).as("process A started").isEqualTo("READY");
      bus.publish(first).toCompletableFuture().get(30, TimeUnit.SECONDS);
      String deadLettered = lines.poll(90, TimeUnit.SECONDS);
      assertThat(deadLettered).as("process A dead-lettered the order's first event").startsWith("DEAD-LETTERED ");
      String headId = deadLettered.substring("DEAD-LETTERED ".length());
      assertThat(lines.poll(60, TimeUnit.SECONDS)).as("process A left the group").isEqualTo("LEFT");
      assertThat(processA.waitFor(30, TimeUnit.SECONDS)).isTrue();

      // Process B takes the group over; the order's second event must park behind A's dead letter.
      List<Integer> handled = new CopyOnWriteArrayList<>();
      bus.subscribe(ConsumerGroup.builder(GROUP).build(), EventHandlers.builder()
          .on(OutOfStock.TYPE, (e, ctx) -> handled.add(e.requested())).build());
      bus.publish(second).toCompletableFuture().get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(60)).until(() -> store.list(GROUP).size() == 2);
      List<DeadLetter> entries = store.list(GROUP);
      assertThat(entries.get(0).id()).isEqualTo(headId);
      assertThat(entries.get(0).reason()).contains("the stock service of process A is broken");
      assertThat(entries.get(1).eventId()).isEqualTo(second.eventId());
      assertThat(entries.get(1).parkedBehind()).as("B parked the second event behind A's dead letter").isEqualTo(headId);
      assertThat(handled).as("events of the blocked order handled by B").isEmpty();

      // A redrive from B, which never saw the failure itself: the first event, then the parked one.
      RedriveResult result = bus.deadLetters().redrive(headId);
      assertThat(result.handled()).isTrue();
      assertThat(result.released()).isEqualTo(1);
      assertThat(handled).containsExactly(1, 2);
      assertThat(store.list(GROUP)).isEmpty();
    }
    try (KafkaDeadLetterStore reopened = KafkaDeadLetterStore.create(config)) {
      assertThat(reopened.isBlocked(GROUP, "order-k")).as("the order is free for every process").isFalse();
    }
  }

  private BlockingQueue<String> startProcessA(String bootstrap, String namespace) throws Exception {
    processA = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), DeadLetterWorker.class.getName(), bootstrap, namespace)
        .redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(processA.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.equals("READY") || line.equals("LEFT") || line.startsWith("DEAD-LETTERED ")
              || line.equals("TIMED OUT")) {
            lines.add(line);
          } else {
            System.out.println("[process A] " + line);
          }
        }
      } catch (java.io.IOException e) {
        // the process ended
      }
    }, "process-a-output");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }
}
