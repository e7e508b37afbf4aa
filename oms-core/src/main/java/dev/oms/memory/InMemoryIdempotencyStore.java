package dev.oms.memory;

import dev.oms.broker.spi.IdempotencyStore;
import dev.oms.broker.spi.UnitOfWork;
import dev.oms.event.EventTypes;
import dev.oms.event.OrderEvent;
import dev.oms.internal.Hashing;
import dev.oms.internal.Require;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The default idempotency store: in memory, for one process, remembering per consumer group and
 * order the event ids the group handled. Its reach, the rule OMS keeps (see {@link #reach()}):
 *
 * <blockquote>Per group and order, every event id the group handled is remembered while the order
 * is in flight and for {@code afterEnd} after it ended (its {@code OrderFulfilled} or
 * {@code OrderCancelled} was published by this bus or handled by the group) and after the group's
 * last event of it; an order whose end this bus never sees is remembered for {@code idle} after the
 * group last handled one of its events; an order blocked behind a dead letter of the group is
 * remembered until it is released.</blockquote>
 *
 * <p>So memory follows the orders in flight plus those that ended in the last {@code afterEnd},
 * not the event rate: there is no count of ids that a burst could push out early.
 *
 * <p>Layout: per group, 64 segments by order, each an open-addressing table of 64-byte entries
 * (the order's key hash, its expiry and flags, six event-id fingerprints; more spill into a side
 * map), so a claim is one cache line under a segment lock that no other order of the segment holds
 * for long. Entries past their expiry are reclaimed when a segment grows. Fingerprints are 64-bit
 * hashes of the ids: two different ids of one order colliding is a 2^-64 event.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
  /** 10 s after the order ended and the group's last event of it. */
  public static final Duration DEFAULT_AFTER_END = Duration.ofSeconds(10);
  /** 10 min after the group's last event of an order whose end this bus never sees. */
  public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);

  private final int afterEndSeconds;
  private final int idleSeconds;
  private final Reach reach;
  private final LongSupplier nanoClock;
  private final long startNanos;
  private final ConcurrentHashMap<String, OrderTable> groups = new ConcurrentHashMap<>();

  private InMemoryIdempotencyStore(Duration afterEnd, Duration idle, LongSupplier nanoClock) {
    Require.config(afterEnd, "afterEnd");
    Require.config(idle, "idle");
    Require.configCheck(afterEnd.toSeconds() >= 1 && idle.toSeconds() >= 1,
        "afterEnd and idle must be at least one second, were " + afterEnd + " and " + idle);
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
    this.afterEndSeconds = (int) Math.min(Integer.MAX_VALUE / 4, afterEnd.toSeconds());
    this.idleSeconds = (int) Math.min(Integer.MAX_VALUE / 4, idle.toSeconds());
    this.reach = new Reach("per group and order, every handled event id while the order is in flight and for "
        + afterEnd.toSeconds() + " s after it ended and after the group's last event of it (" + idle.toSeconds()
        + " s after the group's last event when this bus never sees it end); orders blocked behind a dead letter "
        + "until released; in this process", afterEnd.compareTo(idle) < 0 ? afterEnd : idle);
  }

  /** 10 s after an order's end, 10 min when its end is never seen. */
  public static InMemoryIdempotencyStore ofDefaults() {
    return create(DEFAULT_AFTER_END, DEFAULT_IDLE);
  }

  /** A store with the given reach. */
  public static InMemoryIdempotencyStore create(Duration afterEnd, Duration idle) {
    return new InMemoryIdempotencyStore(afterEnd, idle, System::nanoTime);
  }

  /** A store reading time from {@code nanoClock} (a {@code System.nanoTime()}-like clock), for tests. */
  static InMemoryIdempotencyStore create(Duration afterEnd, Duration idle, LongSupplier nanoClock) {
    return new InMemoryIdempotencyStore(afterEnd, idle, nanoClock);
  }

  @Override
  public Reach reach() {
    return reach;
  }

  @Override
  public boolean claim(UnitOfWork.Work work, String group, OrderEvent event) {
    int now = now();
    boolean ends = EventTypes.isTerminal(event.type());
    return table(group).claim(keyHash(event.orderId()), fingerprint(event.eventId()), now, now + afterEndSeconds,
        now + idleSeconds, ends);
  }

  @Override
  public void release(UnitOfWork.Work work, String group, OrderEvent event) {
    OrderTable table = groups.get(group);
    if (table != null) {
      table.release(keyHash(event.orderId()), fingerprint(event.eventId()));
    }
  }

  @Override
  public void blocked(String group, String key, boolean blocked) {
    int now = now();
    table(group).block(keyHash(key), blocked, now, now + afterEndSeconds, now + idleSeconds);
  }

  @Override
  public void orderEnded(String key) {
    long hash = keyHash(key);
    int expiry = now() + afterEndSeconds;
    for (OrderTable table : groups.values()) {
      table.end(hash, expiry);
    }
  }

  /** Orders remembered now for {@code group}, expired ones not yet reclaimed included (diagnostics, tests). */
  public long entries(String group) {
    OrderTable table = groups.get(group);
    return table == null ? 0 : table.entries();
  }

  private OrderTable table(String group) {
    OrderTable table = groups.get(group);
    return table != null ? table : groups.computeIfAbsent(group, g -> new OrderTable());
  }

  private int now() {
    return (int) ((nanoClock.getAsLong() - startNanos) / 1_000_000_000L);
  }

  /** The order's hash: its string hash (cached by String) spread over 64 bits; never 0. */
  static long keyHash(String key) {
    long h = Hashing.mix64(key.hashCode() * 0x9E3779B97F4A7C15L + key.length());
    return h == 0 ? 1 : h;
  }

  /** An event id's 64-bit fingerprint; never 0. */
  static long fingerprint(String eventId) {
    long h = Hashing.mix64(Hashing.fnv(0x9E3779B97F4A7C15L ^ eventId.length(), eventId));
    return h == 0 ? 1 : h;
  }
}
