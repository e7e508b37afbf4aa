package dev.oms.internal;

import dev.oms.broker.EventContext;
import dev.oms.event.EventIds;
import dev.oms.event.EventMetadata;
import dev.oms.event.OrderEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The context of one handler run. Follow-on events are held until the handler returns, so a
 * handler that fails half-way publishes nothing and its retry starts clean.
 */
final class HandlerContext implements EventContext {
  private final String group;
  private final OrderEvent event;
  private final int attempt;
  private OrderEvent firstOutput;
  private List<OrderEvent> moreOutputs;
  private int followOns;
  private Runnable firstCommit;
  private List<Runnable> moreCommits;

  HandlerContext(String group, OrderEvent event, int attempt) {
    this.group = group;
    this.event = event;
    this.attempt = attempt;
  }

  @Override
  public String group() {
    return group;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public String traceparent() {
    return event.metadata().traceparent();
  }

  @Override
  public String correlationId() {
    return event.metadata().correlationId();
  }

  @Override
  public void publish(OrderEvent output) {
    Require.nonNull(output, "published event");
    if (firstOutput == null) {
      firstOutput = output;
    } else {
      if (moreOutputs == null) {
        moreOutputs = new ArrayList<>(2);
      }
      moreOutputs.add(output);
    }
  }

  @Override
  public EventMetadata followOn() {
    return EventMetadata.causedBy(event, EventIds.derivedEventId(event.eventId(), group, followOns++));
  }

  @Override
  public void afterPublish(Runnable action) {
    Require.nonNull(action, "afterPublish action");
    if (firstCommit == null) {
      firstCommit = action;
    } else {
      if (moreCommits == null) {
        moreCommits = new ArrayList<>(2);
      }
      moreCommits.add(action);
    }
  }

  /** Runs the afterPublish actions, in registration order. */
  void commit() {
    if (firstCommit != null) {
      firstCommit.run();
      if (moreCommits != null) {
        for (Runnable action : moreCommits) {
          action.run();
        }
      }
    }
  }

  /** Sends the held events and waits until the broker accepted all of them. */
  void flush(BusPort bus, Duration timeout) throws Exception {
    if (firstOutput == null) {
      return;
    }
    CompletionStage<Void> first = bus.send(firstOutput);
    if (moreOutputs == null) {
      Stages.await(first, timeout);
      return;
    }
    List<CompletionStage<Void>> pending = new ArrayList<>(moreOutputs.size());
    for (OrderEvent output : moreOutputs) {
      pending.add(bus.send(output));
    }
    Stages.await(first, timeout);
    for (CompletionStage<Void> stage : pending) {
      Stages.await(stage, timeout);
    }
  }
}
