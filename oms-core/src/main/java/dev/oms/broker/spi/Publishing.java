package dev.oms.broker.spi;

import dev.oms.event.OrderEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Sending a handler's follow-on events without waiting: every send starts at once, in order. */
final class Publishing {
  private Publishing() {}

  private static final CompletableFuture<Void> ACCEPTED = CompletableFuture.completedFuture(null);

  /**
   * Sends every event, in order, without waiting in between; the stage completes when all were
   * accepted, or fails with the first failure (in send order) once every send has finished.
   */
  static CompletionStage<Void> sendAll(List<OrderEvent> events, Function<OrderEvent, CompletionStage<Void>> send) {
    int n = events.size();
    if (n == 0) {
      return ACCEPTED;
    }
    if (n == 1) {
      return sendOne(events.get(0), send);
    }
    List<CompletableFuture<Void>> stages = new java.util.ArrayList<>(n);
    boolean allDone = true;
    for (int i = 0; i < n; i++) {
      CompletableFuture<Void> stage = sendOne(events.get(i), send).toCompletableFuture();
      stages.add(stage);
      allDone &= stage.isDone();
    }
    if (allDone) {
      for (CompletableFuture<Void> stage : stages) {
        if (stage.isCompletedExceptionally()) {
          return stage;
        }
      }
      return ACCEPTED;
    }
    CompletableFuture<Void> all = new CompletableFuture<>();
    AtomicInteger left = new AtomicInteger(n);
    for (CompletableFuture<Void> stage : stages) {
      stage.whenComplete((ok, error) -> {
        if (left.decrementAndGet() == 0) {
          for (CompletableFuture<Void> s : stages) {
            if (s.isCompletedExceptionally()) {
              s.whenComplete((v, e) -> all.completeExceptionally(e));
              return;
            }
          }
          all.complete(null);
        }
      });
    }
    return all;
  }

  private static CompletionStage<Void> sendOne(OrderEvent event, Function<OrderEvent, CompletionStage<Void>> send) {
    try {
      CompletionStage<Void> stage = send.apply(event);
      return stage != null ? stage : CompletableFuture.failedFuture(
          new IllegalStateException("the broker's send returned no stage for " + event.type().name()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
