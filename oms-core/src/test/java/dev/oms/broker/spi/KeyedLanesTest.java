package dev.oms.broker.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared lanes of pull adapters: key order kept, no waiting on outcomes, give-ups that leave nothing running. */
class KeyedLanesTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final ExecutorService workers = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    workers.shutdownNow();
  }

  /** An adapter record: a key and a sequence number. */
  record Item(String key, int seq) {}

  /** A stand-in for the runtime: records deliver calls, settles on demand. */
  static final class Runtime implements RecordHandler {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<String, CompletableFuture<Outcome>> pending = new ConcurrentHashMap<>();
    volatile boolean settleAtOnce = true;

    @Override
    public CompletionStage<Outcome> deliver(BrokerRecord record, DeliveryInfo info) {
      String id = record.key() + "-" + record.headers().get("seq");
      calls.add(id);
      if (settleAtOnce) {
        return CompletableFuture.completedFuture(Outcome.HANDLED);
      }
      CompletableFuture<Outcome> stage = new CompletableFuture<>();
      pending.put(id, stage);
      return stage;
    }
  }

  private KeyedLanes<Item> lanes(Runtime runtime, List<String> settled, int lanes) {
    return KeyedLanes.create("test", lanes, workers, runtime,
        KeyedLanes.Source.of(i -> BrokerRecord.ofBytes("t", i.key(), Map.of("seq", String.valueOf(i.seq())), new byte[0]),
            i -> DeliveryInfo.FIRST),
        (item, outcome) -> settled.add(item.key() + "-" + item.seq() + ":" + outcome.kind()));
  }

  @Test
  void eachKeysRecordsReachTheRuntimeInSubmissionOrder() {
    Runtime runtime = new Runtime();
    List<String> settled = new CopyOnWriteArrayList<>();
    KeyedLanes<Item> lanes = lanes(runtime, settled, 4);
    for (int seq = 1; seq <= 200; seq++) {
      for (String key : List.of("a", "b", "c", "d", "e")) {
        lanes.submit(key, new Item(key, seq));
      }
    }
    await().atMost(WAIT).until(() -> settled.size() == 1000);

    for (String key : List.of("a", "b", "c", "d", "e")) {
      List<Integer> order = new ArrayList<>();
      runtime.calls.stream().filter(c -> c.startsWith(key + "-")).forEach(c -> order.add(Integer.parseInt(c.substring(2))));
      assertThat(order).as("deliveries of key %s", key).isSorted().hasSize(200);
    }
    assertThat(lanes.outstanding()).isZero();
  }

  @Test
  void aLaneDoesNotWaitForOutcomesAndSettlesEachWhenItsStageCompletes() {
    Runtime runtime = new Runtime();
    runtime.settleAtOnce = false;
    List<String> settled = new CopyOnWriteArrayList<>();
    KeyedLanes<Item> lanes = lanes(runtime, settled, 1);
    lanes.submit("a", new Item("a", 1));
    lanes.submit("b", new Item("b", 1));
    lanes.submit("a", new Item("a", 2));

    await().atMost(WAIT).until(() -> runtime.calls.size() == 3);
    assertThat(settled).as("nothing settled yet, yet the one lane delivered all three").isEmpty();
    assertThat(lanes.outstanding()).isEqualTo(3);

    runtime.pending.get("b-1").complete(Outcome.HANDLED);
    runtime.pending.get("a-1").complete(Outcome.retryLater(Duration.ZERO, null));

    await().atMost(WAIT).until(() -> settled.size() == 2);
    assertThat(settled).containsExactlyInAnyOrder("b-1:HANDLED", "a-1:RETRY_LATER");
    assertThat(lanes.outstanding()).isEqualTo(1);
  }

  @Test
  void cancellingGivesUpQueuedAndInProgressRecordsOfTheSelectedKeysOnly() {
    Runtime runtime = new Runtime();
    runtime.settleAtOnce = false;
    List<String> settled = new CopyOnWriteArrayList<>();
    KeyedLanes<Item> lanes = lanes(runtime, settled, 2);
    lanes.submit("a", new Item("a", 1));
    lanes.submit("b", new Item("b", 1));
    await().atMost(WAIT).until(() -> runtime.calls.size() == 2);
    lanes.pause();
    lanes.submit("a", new Item("a", 2)); // queued behind the pause

    int given = lanes.cancel(i -> i.key().equals("a"), WAIT);

    assertThat(given).isEqualTo(2);
    assertThat(runtime.pending.get("a-1")).isCancelled();
    assertThat(runtime.pending.get("b-1")).isNotDone();
    assertThat(settled).containsExactlyInAnyOrder("a-1:RETRY_LATER", "a-2:RETRY_LATER");
    lanes.resume();
    runtime.pending.get("b-1").complete(Outcome.HANDLED);
    await().atMost(WAIT).until(() -> lanes.outstanding() == 0);
    assertThat(runtime.calls).as("the dropped record was never delivered").doesNotContain("a-2");
  }

  @Test
  void abortLeavesNothingToSettleLaterAndRefusesNewRecords() {
    Runtime runtime = new Runtime();
    runtime.settleAtOnce = false;
    List<String> settled = new CopyOnWriteArrayList<>();
    KeyedLanes<Item> lanes = lanes(runtime, settled, 2);
    lanes.submit("a", new Item("a", 1));
    await().atMost(WAIT).until(() -> runtime.calls.size() == 1);

    lanes.abort(WAIT);
    lanes.submit("b", new Item("b", 1));

    assertThat(lanes.outstanding()).isZero();
    assertThat(settled).containsExactlyInAnyOrder("a-1:RETRY_LATER", "b-1:RETRY_LATER");
    assertThat(runtime.calls).containsExactly("a-1");
  }
}
