package dev.oms.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.Oms;
import dev.oms.OmsService;
import dev.oms.port.InMemoryInventory;
import dev.oms.port.InMemoryOrderStore;
import dev.oms.port.OrderStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a deployment grows past one machine: the same consumer groups in two JVM processes share the
 * topic's partitions; killing one process ({@code kill -9}) moves its partitions to the other and
 * no order is lost. This JVM takes orders and runs the order, inventory and order-view services;
 * two worker processes run fulfillment, warehouse and notification.
 */
class KafkaScaleOutTest {
  private static final Logger log = LoggerFactory.getLogger(KafkaScaleOutTest.class);
  private static final int ORDERS = 1_500;
  private static final int PARTITIONS = 6;
  private final List<Process> workers = new ArrayList<>();

  static KafkaBrokerConfig config(String bootstrap, String namespace) {
    return KafkaBrokerConfig.builder().bootstrapServers(bootstrap).topic(namespace + ".orders")
        .groupIdPrefix(namespace + ".").partitions(PARTITIONS).commitInterval(Duration.ofMillis(50))
        // A killed process's partitions move after its session times out: keep that short here.
        .consumerProperty("session.timeout.ms", 6_000)
        .consumerProperty("heartbeat.interval.ms", 500)
        .build();
  }

  @AfterEach
  void killWorkers() {
    workers.forEach(Process::destroyForcibly);
  }

  @Test
  void twoProcessesShareAGroupsPartitionsAndOneTakesOverWhenTheOtherIsKilled() throws Exception {
    String bootstrap = SharedKafka.cluster().bootstrapServers();
    String namespace = SharedKafka.uniqueNamespace("scale");
    InMemoryInventory inventory = new InMemoryInventory();
    OrderFactory.SKUS.forEach(sku -> inventory.stock(sku, 1_000_000));
    InMemoryOrderStore orders = new InMemoryOrderStore();
    try (Oms front = Oms.builder().broker(KafkaBroker.create(config(bootstrap, namespace)))
        .services(EnumSet.of(OmsService.ORDER, OmsService.INVENTORY, OmsService.ORDER_VIEW))
        .inventory(inventory).orderStore(orders).defaultConcurrency(8).build();
        Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Process first = startWorker(bootstrap, namespace);
      Process second = startWorker(bootstrap, namespace);
      String fulfillmentGroup = namespace + ".fulfillment";
      // Cooperative rebalancing moves partitions in two rounds: wait until both processes own some.
      await().atMost(Duration.ofSeconds(60)).until(() -> sharedByTwo(assignments(admin, fulfillmentGroup)));
      Map<String, Set<TopicPartition>> shared = assignments(admin, fulfillmentGroup);

      OrderFactory factory = new OrderFactory(5, "s", 0.0);
      List<String> accepted = new ArrayList<>();
      for (int i = 0; i < ORDERS; i++) {
        accepted.add(front.placeOrder(factory.next()).orderId());
        if (i == ORDERS / 3) {
          first.destroyForcibly(); // kill -9, mid-flow
          assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
          log.info("killed worker 1 after {} orders, {} fulfilled", i + 1, orders.count(OrderStatus.FULFILLED));
        }
      }

      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
          .until(() -> orders.count(OrderStatus.FULFILLED) == ORDERS);
      assertThat(accepted).allSatisfy(id ->
          assertThat(orders.status(id)).as("order " + id).contains(OrderStatus.FULFILLED));
      Map<String, Set<TopicPartition>> after = assignments(admin, fulfillmentGroup);
      assertThat(after).as("the survivor owns every partition").hasSize(1);
      assertThat(partitionCount(after)).isEqualTo(PARTITIONS);
      assertThat(second.isAlive()).isTrue();
      log.info("scale-out: {} partitions shared as {}, then all on the survivor", PARTITIONS, shared.values());
    }
  }

  private Process startWorker(String bootstrap, String namespace) throws IOException, InterruptedException {
    Path log = Files.createTempFile("oms-scale-out-worker", ".log");
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), ScaleOutWorker.class.getName(), bootstrap, namespace)
        .redirectErrorStream(true).start();
    workers.add(process);
    CountDownLatch ready = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.equals("READY")) {
            ready.countDown();
          }
          Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8,
              java.nio.file.StandardOpenOption.APPEND);
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "scale-out-worker-output");
    reader.setDaemon(true);
    reader.start();
    assertThat(ready.await(60, TimeUnit.SECONDS)).as("worker started; its output is in " + log).isTrue();
    return process;
  }

  /** Per member (client id), the partitions it owns. */
  private static Map<String, Set<TopicPartition>> assignments(Admin admin, String group) throws Exception {
    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
        .get(10, TimeUnit.SECONDS).get(group);
    Map<String, Set<TopicPartition>> owned = new java.util.HashMap<>();
    for (MemberDescription member : description.members()) {
      owned.put(member.consumerId(), new HashSet<>(member.assignment().topicPartitions()));
    }
    return owned;
  }

  private static boolean sharedByTwo(Map<String, Set<TopicPartition>> assignments) {
    return assignments.size() == 2 && partitionCount(assignments) == PARTITIONS
        && assignments.values().stream().noneMatch(Set::isEmpty);
  }

  private static int partitionCount(Map<String, Set<TopicPartition>> assignments) {
    return assignments.values().stream().mapToInt(Set::size).sum();
  }
}
