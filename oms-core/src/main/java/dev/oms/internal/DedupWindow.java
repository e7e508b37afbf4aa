package dev.oms.internal;

/**
 * The recently handled event ids of one consumer group, bounded, without locks or per-event
 * allocation: a set-associative table of 64-bit fingerprints. A set is eight ways of one 64-byte
 * cache line, so a lookup costs one memory access; each set forgets its oldest entry first. The
 * set is chosen by the event's key (order id), not its id: an order's events all meet the same
 * line while the order is in flight, so the hot part of the table stays in cache.
 *
 * <p>Why this shape: deduplication runs for every delivery, and a concurrent hash set of strings
 * cost almost half the pipeline's CPU (a node per id, pointer chasing, a shared size counter).
 *
 * <p>A false duplicate needs two different ids with the same 64-bit fingerprint in the same set:
 * about 8 in 2^64 per lookup, far below any hardware error rate.
 *
 * <p>Thread-safety rests on the delivery contract: an event and its duplicates carry the same key
 * (order id), and a key is delivered one at a time with a happens-before edge between deliveries,
 * so a duplicate always sees the add of the copy handled before it. Unrelated ids that share a
 * set may race for the same way, which can only make the window forget an id early (a later
 * duplicate of it would then be handled again: at-least-once), never invent a duplicate.
 */
public final class DedupWindow {
  private static final int MAX_WAYS = 8;

  private final long[] fingerprints;
  private final int[] nextWay;
  private final int ways;
  private final int setMask;

  /**
   * @param capacity ids to remember; large windows get twice as many slots so that hashing
   *     imbalance between sets rarely forgets an id before {@code capacity} newer ones arrived
   */
  public DedupWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    this.ways = Math.min(MAX_WAYS, capacity);
    int sets = 1;
    if (capacity > MAX_WAYS) {
      long wanted = Math.min(1L << 26, 2L * capacity / ways);
      while (sets < wanted) {
        sets <<= 1;
      }
    }
    this.setMask = sets - 1;
    this.fingerprints = new long[sets * ways];
    this.nextWay = new int[sets];
  }

  /** The fingerprint of an id, computed once per delivery and passed to both methods below. */
  public static long fingerprint(String eventId) {
    long h = Hashing.mix64(Hashing.fnv(0x9E3779B97F4A7C15L ^ eventId.length(), eventId));
    return h == 0 ? 1 : h; // 0 marks an empty slot
  }

  /** For callers without a key: the id chooses the set. */
  public boolean contains(String eventId) {
    long fingerprint = fingerprint(eventId);
    return contains((int) (fingerprint >>> 32), fingerprint);
  }

  /** For callers without a key: the id chooses the set. */
  public void add(String eventId) {
    long fingerprint = fingerprint(eventId);
    add((int) (fingerprint >>> 32), fingerprint);
  }

  /**
   * @param keyHash the hash of the event's key ({@code orderId().hashCode()}); duplicates share it
   */
  public boolean contains(int keyHash, long fingerprint) {
    return find(setOf(keyHash), fingerprint) >= 0;
  }

  /** Remembers a fingerprint; the oldest of its set is forgotten when the set is full. */
  public void add(int keyHash, long fingerprint) {
    int set = setOf(keyHash);
    if (find(set, fingerprint) >= 0) {
      return;
    }
    int way = nextWay[set];
    nextWay[set] = way + 1 == ways ? 0 : way + 1;
    fingerprints[set * ways + way] = fingerprint;
  }

  private int find(int set, long fingerprint) {
    int base = set * ways;
    for (int i = base, end = base + ways; i < end; i++) {
      if (fingerprints[i] == fingerprint) {
        return i;
      }
    }
    return -1;
  }

  private int setOf(int keyHash) {
    int h = keyHash * 0x9E3779B9; // spread: String hashes of similar keys differ in low bits only
    return (h ^ (h >>> 16)) & setMask;
  }

  /** Ids remembered now (a scan: for tests and diagnostics, not the hot path). */
  public int size() {
    int n = 0;
    for (long f : fingerprints) {
      if (f != 0) {
        n++;
      }
    }
    return n;
  }

  /** How many ids the table can hold at most. */
  public int slots() {
    return fingerprints.length;
  }
}
