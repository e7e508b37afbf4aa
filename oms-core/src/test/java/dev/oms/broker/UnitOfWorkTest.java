package dev.oms.broker;

import static dev.oms.broker.DeliveryTestSupport.WAIT;
import static dev.oms.broker.DeliveryTestSupport.accepted;
import static dev.oms.broker.DeliveryTestSupport.fastPolicy;
import static dev.oms.broker.DeliveryTestSupport.group;
import static dev.oms.broker.DeliveryTestSupport.seqEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oms.broker.spi.IdempotencyStore;
import dev.oms.broker.spi.UnitOfWork;
import dev.oms.event.Money;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderLine;
import dev.oms.event.OutOfStock;
import dev.oms.event.StockReleased;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The unit of work around each attempt and the idempotency port: what a transactional outbox and
 * inbox plug into, shown here with in-memory stand-ins that keep a journal of the calls.
 */
class UnitOfWorkTest {
  private static final List<OrderLine> LINES = List.of(new OrderLine("SKU-1", 1, Money.of(100, "USD")));

  /** An outbox: follow-on events are staged in the transaction, not sent; a relay would send them. */
  static final class JournalOutbox implements UnitOfWork {
    final List<String> journal = new CopyOnWriteArrayList<>();
    final List<OrderEvent> outbox = new CopyOnWriteArrayList<>();

    @Override
    public Work begin(String group, OrderEvent event, int attempt) {
      journal.add("begin " + attempt);
      List<OrderEvent> staged = new CopyOnWriteArrayList<>();
      return new Work() {
        @Override
        public CompletionStage<Void> publish(List<OrderEvent> events, Function<OrderEvent, CompletionStage<Void>> send) {
          journal.add("stage " + events.size());
          staged.addAll(events);
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public void commit() {
          journal.add("commit");
          outbox.addAll(staged);
        }

        @Override
        public void rollback(Throwable cause) {
          journal.add("rollback");
        }
      };
    }
  }

  /** An inbox keyed by group and event id, recording what the runtime asks. */
  static final class JournalInbox implements IdempotencyStore {
    final Map<String, Boolean> handled = new ConcurrentHashMap<>();
    final List<String> journal = new CopyOnWriteArrayList<>();

    @Override
    public Reach reach() {
      return new Reach("every event id, forever (a test inbox)", null);
    }

    @Override
    public boolean claim(UnitOfWork.Work work, String group, OrderEvent event) {
      journal.add("claim");
      return handled.putIfAbsent(group + "/" + event.eventId(), true) == null;
    }

    @Override
    public void release(UnitOfWork.Work work, String group, OrderEvent event) {
      journal.add("release");
      handled.remove(group + "/" + event.eventId());
    }
  }

  @Test
  void eachAttemptBeginsStagesRunsAfterPublishThenCommitsAndAFailedAttemptRollsBackAndReleasesItsClaim() {
    JournalOutbox outbox = new JournalOutbox();
    JournalInbox inbox = new JournalInbox();
    List<String> sent = new CopyOnWriteArrayList<>();
    try (EventBus bus = EventBus.builder().unitOfWork(outbox).idempotencyStore(inbox).build()) {
      bus.subscribe(group("downstream", 1, DeliveryPolicy.ofDefaults()),
          EventHandlers.builder().on(StockReleased.TYPE, (e, ctx) -> sent.add(e.eventId())).build());
      bus.subscribe(group("g", 1, fastPolicy(3)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> {
        ctx.publish(new StockReleased(ctx.followOn(), LINES));
        ctx.afterPublish(() -> outbox.journal.add("afterPublish"));
        if (ctx.attempt() == 1) {
          throw new IllegalStateException("first attempt fails");
        }
      }).build());
      OutOfStock event = seqEvent("o-1", 1);

      accepted(bus.publish(event));
      await().atMost(WAIT).until(() -> outbox.journal.contains("commit"));
      accepted(bus.publish(event)); // redelivered: the inbox has it
      await().atMost(WAIT).until(() -> bus.metrics("g").duplicatesSkipped() == 1);

      assertThat(outbox.journal).containsExactly("begin 1", "rollback", "begin 2", "stage 1", "afterPublish", "commit",
          "begin 1", "rollback");
      assertThat(inbox.journal).containsExactly("claim", "release", "claim", "claim");
      assertThat(outbox.outbox).as("the follow-on event waits in the outbox for its relay")
          .singleElement().isInstanceOf(StockReleased.class);
      assertThat(sent).as("nothing sent to the broker by the handler's attempt itself").isEmpty();
      assertThat(bus.idempotencyReach().rule()).contains("forever");
    }
  }

  @Test
  void aCommitThatFailsFailsTheAttemptWhichIsRetried() {
    List<String> journal = new CopyOnWriteArrayList<>();
    UnitOfWork flaky = (group, event, attempt) -> new UnitOfWork.Work() {
      @Override
      public void commit() {
        journal.add("commit " + attempt);
        if (attempt == 1) {
          throw new IllegalStateException("serialization failure");
        }
      }

      @Override
      public void rollback(Throwable cause) {
        journal.add("rollback " + attempt);
      }
    };
    try (EventBus bus = EventBus.builder().unitOfWork(flaky).build()) {
      bus.subscribe(group("g", 1, fastPolicy(3)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> { }).build());

      accepted(bus.publish(seqEvent("o-1", 1)));

      await().atMost(WAIT).until(() -> bus.metrics("g").handled() == 1);
      assertThat(journal).containsExactly("commit 1", "rollback 1", "commit 2");
      assertThat(bus.metrics("g").retried()).isEqualTo(1);
    }
  }

  @Test
  void aBlockingUnitOfWorkRunsEveryAttemptOffTheWorkers() {
    List<String> threads = new CopyOnWriteArrayList<>();
    UnitOfWork jdbcLike = new UnitOfWork() {
      @Override
      public Work begin(String group, OrderEvent event, int attempt) {
        threads.add(Thread.currentThread().getName());
        return Work.DIRECT;
      }

      @Override
      public boolean blocking() {
        return true;
      }
    };
    try (EventBus bus = EventBus.builder().unitOfWork(jdbcLike).closeTimeout(Duration.ofSeconds(5)).build()) {
      bus.subscribe(group("g", 2, fastPolicy(1)), EventHandlers.builder().on(OutOfStock.TYPE, (e, ctx) -> { }).build());
      for (int i = 0; i < 5; i++) {
        accepted(bus.publish(seqEvent("o-" + i, 1)));
      }
      await().atMost(WAIT).until(() -> bus.metrics("g").handled() == 5);
    }
    assertThat(threads).hasSize(5).allSatisfy(name -> assertThat(name).startsWith("oms-blocking-"));
  }
}
