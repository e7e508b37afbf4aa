package dev.oms.internal;

/**
 * The recently handled event ids of one consumer group, bounded, without locks or per-event
 * allocation: a set-associative table of 128-bit fingerprints (two independent 64-bit hashes of
 * the id), where each set forgets its oldest entry first.
 *
 * <p>Why this shape: deduplication runs for every delivery, and a concurrent hash set of strings
 * cost almost half the pipeline's CPU (a node per id, pointer chasing, a shared size counter).
 * Here a lookup touches one cache line or two.
 *
 * <p>Thread-safety rests on the delivery contract: an event and its duplicates carry the same key
 * (order id), and a key is delivered one at a time with a happens-before edge between deliveries,
 * so a duplicate always sees the add of the copy handled before it. Unrelated ids that share a
 * set may race for the same way, which can only make the window forget an id early (a later
 * duplicate of it would then be handled: at-least-once), never report a false duplicate, because
 * a match needs all 128 bits.
 */
public final class DedupWindow {
  private static final int MAX_WAYS = 8;

  private final long[] high;
  private final long[] low;
  private final int[] nextWay;
  private final int ways;
  private final int setMask;

  /**
   * @param capacity ids to remember at least; large windows are sized at twice this so hashing
   *     imbalance between sets does not forget an id before {@code capacity} newer ones arrived
   */
  public DedupWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    this.ways = Math.min(MAX_WAYS, capacity);
    int wantedSets = capacity <= MAX_WAYS ? 1 : (int) Math.min(1 << 26, 2L * capacity / ways);
    int sets = Integer.highestOneBit(Math.max(1, wantedSets - 1)) << 1;
    sets = capacity <= MAX_WAYS ? 1 : sets;
    this.setMask = sets - 1;
    this.high = new long[sets * ways];
    this.low = new long[sets * ways];
    this.nextWay = new int[sets];
  }

  public boolean contains(String eventId) {
    long h = hashHigh(eventId);
    long l = hashLow(eventId);
    return find(setOf(h), h, l) >= 0;
  }

  /** Remembers an id; the oldest id of its set is forgotten when the set is full. */
  public void add(String eventId) {
    long h = hashHigh(eventId);
    long l = hashLow(eventId);
    int set = setOf(h);
    if (find(set, h, l) >= 0) {
      return;
    }
    int way = nextWay[set];
    nextWay[set] = way + 1 == ways ? 0 : way + 1;
    int slot = set * ways + way;
    high[slot] = h;
    low[slot] = l;
  }

  private int find(int set, long h, long l) {
    int base = set * ways;
    for (int i = base, end = base + ways; i < end; i++) {
      if (high[i] == h && low[i] == l) {
        return i;
      }
    }
    return -1;
  }

  private int setOf(long h) {
    return (int) (h >>> 32) & setMask;
  }

  /** Ids remembered now (a scan: for tests and diagnostics, not the hot path). */
  public int size() {
    int n = 0;
    for (int i = 0; i < high.length; i++) {
      if (high[i] != 0 || low[i] != 0) {
        n++;
      }
    }
    return n;
  }

  /** How many ids the table can hold at most. */
  public int slots() {
    return high.length;
  }

  // Two differently seeded 64-bit string hashes; never both zero, which marks an empty slot.
  private static long hashHigh(String s) {
    long h = 0x9E3779B97F4A7C15L;
    for (int i = 0, n = s.length(); i < n; i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
    }
    return mix(h ^ s.length());
  }

  private static long hashLow(String s) {
    long h = 0xC2B2AE3D27D4EB4FL;
    for (int i = s.length() - 1; i >= 0; i--) {
      h = (h + s.charAt(i)) * 0xFF51AFD7ED558CCDL;
      h ^= h >>> 29;
    }
    long m = mix(h);
    return m == 0 ? 1 : m;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }
}
