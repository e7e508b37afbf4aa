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
 * <blockquote>Per group and order, the event ids the group handled (up to the order's last 22
 * across the store's groups, against the 17 deliveries the pipeline brings an order) are remembered while the order is in
 * flight and for {@code afterEnd} after it ended (its {@code OrderFulfilled} or
 * {@code OrderCancelled} was published by this bus or handled by the group) and after the group's
 * last event of it; an order whose end this bus never sees is remembered for {@code idle} after the
 * group last handled one of its events; an order blocked behind a dead letter of the group is
 * remembered until it is released.</blockquote>
 *
 * <p>So memory follows the orders in flight plus those that ended in the last {@code afterEnd},
 * not the event rate: no burst of other orders' events pushes an id out early.
 *
 * <p>Why 10 s after the end by default: behind a large backlog a second copy of an event (sent
 * twice, or sent again after a full queue refused it) can reach a group seconds after the order
 * ended there. Shorter times were tried: at 250 ms the default {@code ./simulate}, which injects
 * duplicates, saw about 140 orders end twice. The cost is memory in proportion to the order rate:
 * at 10,000 orders/s, 40-60 MB.
 *
 * <p>Layout: see {@link OrderTable}; in short, one 192-byte entry per order for all groups,
 * under a segment lock that no other order of the segment holds for long, so the deliveries of an
 * order after the first find its entry in the cache. Order keys are 64-bit hashes of the order id
 * (its string hash and a second hash of the whole id): two orders colliding on both would share an
 * entry, its ids and its times, a 2^-64 event per pair of live orders.
 * Event-id fingerprints are salted per group and keep 56 bits of hash: two different ids of one
 * order colliding is a 2^-56 event.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
  /** 10 s after the order ended and the group's last event of it. */
  public static final Duration DEFAULT_AFTER_END = Duration.ofSeconds(10);
  /** 2 min after the group's last event of an order whose end this bus never sees. */
  public static final Duration DEFAULT_IDLE = Duration.ofMinutes(2);

  /** Time in ticks of 16 ms since the store started: an int lasts over a year. */
  private static final long TICK_NANOS = 16_000_000L;
  private final int afterEndTicks;
  private final int idleTicks;
  private final Reach reach;
  private final LongSupplier nanoClock;
  private final long startNanos;
  private final OrderTable table = new OrderTable();
  private final ConcurrentHashMap<String, Long> salts = new ConcurrentHashMap<>();
  private final java.util.Set<String> blockedPairs = ConcurrentHashMap.newKeySet();

  private InMemoryIdempotencyStore(Duration afterEnd, Duration idle, LongSupplier nanoClock) {
    Require.config(afterEnd, "afterEnd");
    Require.config(idle, "idle");
    Require.configCheck(afterEnd.toMillis() >= 50 && idle.toMillis() >= 50 && afterEnd.toDays() < 365
        && idle.toDays() < 365, "afterEnd and idle must be between 50 ms and a year, were " + afterEnd + " and " + idle);
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
    // Rounded up, plus one tick: an id is never forgotten before its stated time.
    this.afterEndTicks = (int) (afterEnd.toNanos() / TICK_NANOS) + 2;
    this.idleTicks = (int) (idle.toNanos() / TICK_NANOS) + 2;
    this.reach = new Reach("per group and order, every handled event id (up to the order's last "
        + OrderTable.MAX_IDS + " across groups) while the order is in flight and for " + afterEnd.toMillis() + " ms after it ended and after the "
        + "group's last event of it (" + idle.toSeconds() + " s after the group's last event when this bus never "
        + "sees it end); orders blocked behind a dead letter until released; in this process",
        afterEnd.compareTo(idle) < 0 ? afterEnd : idle);
  }

  /** 10 s after an order's end, 2 min when its end is never seen. */
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
    return table.claim(keyHash(event.orderId()), fingerprint(event.eventId(), salt(group)), now, now + afterEndTicks,
        now + idleTicks, ends);
  }

  @Override
  public void release(UnitOfWork.Work work, String group, OrderEvent event) {
    table.release(keyHash(event.orderId()), fingerprint(event.eventId(), salt(group)));
  }

  @Override
  public void blocked(String group, String key, boolean blocked) {
    // Paired per group and order, so the entry counts each group that holds the order blocked once.
    String pair = group + '\u0000' + key;
    if (blocked ? blockedPairs.add(pair) : blockedPairs.remove(pair)) {
      int now = now();
      table.block(keyHash(key), blocked, now, now + afterEndTicks, now + idleTicks);
    }
  }

  @Override
  public void orderEnded(String key) {
    table.end(keyHash(key), now() + afterEndTicks);
  }

  /** Event ids {@code group} remembers now (a scan: diagnostics and tests). */
  public long entries(String group) {
    return table.entries((int) (salt(group) & 0xFF), now());
  }

  /** Order slots allocated, all groups together: 192 bytes each. */
  public long capacity() {
    return table.capacity();
  }

  /** Recent groups by identity: the runtime passes each group's one name string, so this is a reference compare. */
  private volatile Object[] recent = new Object[0];

  /**
   * The group's salt: a 64-bit hash of its name with its number in this store (1-255, in order of
   * first use, then wrapping) in the low byte, which tags its fingerprints.
   */
  private long salt(String group) {
    Object[] r = recent;
    for (int i = 0; i < r.length; i += 2) {
      if (r[i] == group) {
        return (Long) r[i + 1];
      }
    }
    Long salt = salts.computeIfAbsent(group, g -> {
      long tag = salts.size() % 255 + 1;
      return (Hashing.mix64(g.hashCode() * 0x9E3779B97F4A7C15L ^ g.length()) & ~0xFFL) | tag;
    });
    if (r.length < 32) {
      Object[] more = java.util.Arrays.copyOf(r, r.length + 2);
      more[r.length] = group;
      more[r.length + 1] = salt;
      recent = more; // a lost race only costs a later map look-up
    }
    return salt;
  }

  private int now() {
    return (int) ((nanoClock.getAsLong() - startNanos) / TICK_NANOS);
  }

  /**
   * The order's 64-bit key: its string hash (cached by the string) and a second, 64-bit hash of
   * the whole id, so orders whose ids share a 32-bit string hash (about 500 pairs among 2 million live
   * random ids) still get entries of their own; never 0.
   */
  static long keyHash(String key) {
    long second = Hashing.fnv(0x9E3779B97F4A7C15L ^ key.length(), key);
    long h = Hashing.mix64(((long) key.hashCode() << 32) ^ Hashing.mix64(second));
    return h == 0 ? 1 : h;
  }

  /**
   * An event id's fingerprint for one group: the string's own hash (cached by the string) and a
   * 64-bit hash of the whole id, mixed with the group's salt; the low byte is the group's tag, never
   * 0. Two different ids of one order collide only by agreeing on the 56 bits kept (a 2^-56 event),
   * however they were chosen, and a group's ids never match another's.
   */
  static long fingerprint(String eventId, long salt) {
    long whole = Hashing.fnv(0xC2B2AE3D27D4EB4FL ^ eventId.length(), eventId);
    long h = Hashing.mix64((((long) eventId.hashCode() << 32) ^ Hashing.mix64(whole)) + salt);
    return (h & ~0xFFL) | (salt & 0xFF);
  }
}
