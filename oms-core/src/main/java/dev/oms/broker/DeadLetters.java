package dev.oms.broker;

import dev.oms.OmsException;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.codec.EventCodec;
import dev.oms.event.OrderEvent;
import dev.oms.runtime.GroupRuntime;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The operator's view of dead letters: list them, read the event inside, redrive or discard. A
 * redrive runs on the calling thread and, when it succeeds, releases the order's parked events in
 * order. Dead letters of records refused at ingress ({@link EventBus#publishEncoded}) belong to the
 * pseudo-group {@value EventBus#INGRESS_GROUP}; redriving one publishes it again.
 */
public final class DeadLetters {
  private final DeadLetterStore store;
  private final EventCodec codec;
  private final EventCodec storageCodec;
  private final Function<String, GroupRuntime> groups;
  private final Function<OrderEvent, java.util.concurrent.CompletionStage<Void>> republish;

  DeadLetters(DeadLetterStore store, EventCodec codec, EventCodec storageCodec, Function<String, GroupRuntime> groups,
      Function<OrderEvent, java.util.concurrent.CompletionStage<Void>> republish) {
    this.store = store;
    this.codec = codec;
    this.storageCodec = storageCodec;
    this.groups = groups;
    this.republish = republish;
  }

  /** Every dead letter and parked record, oldest first. */
  public List<DeadLetter> list() {
    return store.list();
  }

  /** The dead letters and parked records of one consumer group, oldest first. */
  public List<DeadLetter> list(String group) {
    return store.list(group);
  }

  /** Only the records that failed themselves (not the ones parked behind them). */
  public List<DeadLetter> failures(String group) {
    return list(group).stream().filter(DeadLetter::isFailure).collect(Collectors.toList());
  }

  public Optional<DeadLetter> get(String id) {
    return store.get(id);
  }

  /** Decodes the event a dead letter holds (upcasting older schema versions). */
  public OrderEvent event(DeadLetter deadLetter) {
    return storageCodec.decode(deadLetter.body());
  }

  /** Handles the dead letter again with its group's handler and policy. */
  public RedriveResult redrive(String id) {
    DeadLetter dl = require(id);
    if (EventBus.INGRESS_GROUP.equals(dl.group())) {
      // Refused at the door: it must now pass the same checks (size limit included) as any new event.
      OrderEvent event = codec.decode(dl.body());
      try {
        republish.apply(event).toCompletableFuture().join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof OmsException oms ? oms
            : new OmsException(OmsException.Kind.BROKER_UNAVAILABLE, "republishing dead letter " + id + " failed", e);
      }
      store.remove(id);
      return new RedriveResult(id, true, 0, null, null);
    }
    return runtimeOf(dl).redrive(dl);
  }

  /** Redrives every failed dead letter of a group, oldest first; returns how many now flow again. */
  public int redriveAll(String group) {
    int unblocked = 0;
    for (DeadLetter dl : failures(group)) {
      if (store.get(dl.id()).isPresent() && redrive(dl.id()).orderUnblocked()) {
        unblocked++;
      }
    }
    return unblocked;
  }

  /** Gives up on a dead letter; events parked behind it are then handled in order. */
  public RedriveResult discard(String id) {
    DeadLetter dl = require(id);
    if (EventBus.INGRESS_GROUP.equals(dl.group())) {
      store.remove(id);
      return new RedriveResult(id, false, 0, null, null);
    }
    return runtimeOf(dl).discard(dl);
  }

  private DeadLetter require(String id) {
    return store.get(id).orElseThrow(() -> new OmsException(OmsException.Kind.NOT_FOUND, "no dead letter with id " + id));
  }

  private GroupRuntime runtimeOf(DeadLetter dl) {
    GroupRuntime runtime = groups.apply(dl.group());
    if (runtime == null) {
      throw new OmsException(OmsException.Kind.NOT_FOUND, "dead letter " + dl.id() + " belongs to group "
          + dl.group() + ", which is not subscribed on this bus; subscribe it first, then redrive");
    }
    return runtime;
  }
}
