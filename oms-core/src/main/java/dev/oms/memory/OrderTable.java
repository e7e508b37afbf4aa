package dev.oms.memory;

import java.util.Arrays;

/**
 * One consumer group's memory of handled event ids, by order. See {@link InMemoryIdempotencyStore}
 * for the rule it keeps; this is how it keeps it cheaply, since every delivery claims here.
 *
 * <p>Shape: 64 segments (each with its own lock), each an open-addressing table whose slot is one
 * cache line: [0] the order's key hash (0 = empty), [1] its expiry in store ticks (low 32 bits),
 * fingerprint count (bits 32-39), ENDED (bit 40), BLOCKED (bit 41), [2..7] its first six event-id
 * fingerprints. A claim of an order at its home slot reads one line; tables stay at most half full.
 * An order with more ids keeps the next ones in a small ring of its slot ({@code more}), up to
 * {@link #MAX_IDS} in all; past that its oldest ring id gives way (no order of the pipeline comes
 * near: a group sees at most about eight events of one order). An expired slot is taken by the next
 * new order whose probe passes it, so a table stays proportional to the orders it must remember.
 */
final class OrderTable {
  private static final int SEGMENTS = 64;
  private static final int WIDTH = 8;
  private static final int INLINE = WIDTH - 2;
  /** Event ids kept per order and group. */
  static final int MAX_IDS = 16;
  private static final int RING = MAX_IDS - INLINE;
  private static final long ENDED = 1L << 40;
  private static final long BLOCKED = 1L << 41;

  private final Segment[] segments = new Segment[SEGMENTS];

  OrderTable() {
    for (int i = 0; i < SEGMENTS; i++) {
      segments[i] = new Segment();
    }
  }

  /**
   * @param afterEnd the expiry if the order ended (now plus the after-end time)
   * @param idle the expiry otherwise (now plus the idle time)
   * @param ends the claimed event ends the order
   */
  boolean claim(long key, long fingerprint, int now, int afterEnd, int idle, boolean ends) {
    return segment(key).claim(key, fingerprint, now, afterEnd, idle, ends);
  }

  void release(long key, long fingerprint) {
    segment(key).release(key, fingerprint);
  }

  void block(long key, boolean blocked, int now, int afterEnd, int idle) {
    segment(key).block(key, blocked, now, afterEnd, idle);
  }

  void end(long key, int expiry) {
    segment(key).end(key, expiry);
  }

  /** Ids in reach now (a scan: diagnostics and tests). */
  long entries(int now) {
    long n = 0;
    for (Segment segment : segments) {
      n += segment.size(now);
    }
    return n;
  }

  /** Slots allocated: a table costs 64 bytes per slot. */
  long capacity() {
    long n = 0;
    for (Segment segment : segments) {
      n += segment.capacity();
    }
    return n;
  }

  private Segment segment(long key) {
    return segments[(int) (key >>> 58)];
  }

  private static int expiryOf(long meta) {
    return (int) meta;
  }

  private static int countOf(long meta) {
    return (int) ((meta >>> 32) & 0xFF);
  }

  private static long meta(int expiry, int count, long flags) {
    return (expiry & 0xFFFFFFFFL) | ((long) count << 32) | flags;
  }

  private static boolean isExpired(long meta, int now) {
    return (meta & BLOCKED) == 0 && expiryOf(meta) - now < 0;
  }

  /** A part of the table with its own lock: orders of other segments never wait for it. */
  private static final class Segment {
    private long[] slots = new long[16 * WIDTH];
    /** Per slot: ring of the order's ids past the inline ones ([0] next position, [1..] ids), or null. */
    private long[][] more = new long[16][];
    private int used; // occupied slots, expired ones included

    synchronized int size(int now) {
      int n = 0;
      for (int s = 0; s < more.length; s++) {
        long meta = slots[s * WIDTH + 1];
        if (slots[s * WIDTH] != 0 && !isExpired(meta, now)) {
          n += countOf(meta);
          if (more[s] != null) {
            for (int i = 1; i < more[s].length; i++) {
              n += more[s][i] != 0 ? 1 : 0;
            }
          }
        }
      }
      return n;
    }

    synchronized int capacity() {
      return more.length;
    }

    synchronized boolean claim(long key, long fp, int now, int afterEnd, int idle, boolean ends) {
      int slot = find(key);
      if (slot >= 0) {
        if (isExpired(slots[slot * WIDTH + 1], now)) {
          clear(slot);
        } else if (contains(slot, fp)) {
          return false;
        }
      } else {
        slot = insert(key, now);
      }
      int at = slot * WIDTH;
      long meta = slots[at + 1];
      int count = countOf(meta);
      if (count < INLINE) {
        slots[at + 2 + count] = fp;
        count++;
      } else {
        long[] ring = more[slot];
        if (ring == null) {
          more[slot] = ring = new long[1 + RING];
        }
        int next = (int) ring[0];
        ring[1 + next] = fp;
        ring[0] = next + 1 == RING ? 0 : next + 1;
      }
      long flags = meta & (ENDED | BLOCKED) | (ends ? ENDED : 0);
      slots[at + 1] = meta((flags & ENDED) != 0 ? afterEnd : idle, count, flags);
      return true;
    }

    synchronized void release(long key, long fp) {
      int slot = find(key);
      if (slot < 0) {
        return;
      }
      int at = slot * WIDTH;
      long meta = slots[at + 1];
      int count = countOf(meta);
      for (int i = 0; i < count; i++) {
        if (slots[at + 2 + i] == fp) {
          System.arraycopy(slots, at + 3 + i, slots, at + 2 + i, count - i - 1);
          slots[at + 1 + count] = 0;
          slots[at + 1] = meta(expiryOf(meta), count - 1, meta & (ENDED | BLOCKED));
          return;
        }
      }
      long[] ring = more[slot];
      if (ring != null) {
        for (int i = 1; i < ring.length; i++) {
          if (ring[i] == fp) {
            ring[i] = 0;
          }
        }
      }
    }

    synchronized void block(long key, boolean blocked, int now, int afterEnd, int idle) {
      int slot = find(key);
      if (slot < 0) {
        if (!blocked) {
          return;
        }
        slot = insert(key, now);
      }
      int at = slot * WIDTH;
      long meta = slots[at + 1];
      long ended = meta & ENDED;
      slots[at + 1] = blocked ? meta(Integer.MAX_VALUE, countOf(meta), ended | BLOCKED)
          : meta(ended != 0 ? afterEnd : idle, countOf(meta), ended);
    }

    synchronized void end(long key, int expiry) {
      int slot = find(key);
      if (slot < 0) {
        return;
      }
      int at = slot * WIDTH;
      long meta = slots[at + 1];
      slots[at + 1] = (meta & BLOCKED) != 0 ? meta | ENDED
          : meta(expiry, countOf(meta), (meta & (ENDED | BLOCKED)) | ENDED);
    }

    private boolean contains(int slot, long fp) {
      int at = slot * WIDTH;
      int count = countOf(slots[at + 1]);
      for (int i = 0; i < count; i++) {
        if (slots[at + 2 + i] == fp) {
          return true;
        }
      }
      long[] ring = count == INLINE ? more[slot] : null;
      if (ring != null) {
        for (int i = 1; i < ring.length; i++) {
          if (ring[i] == fp) {
            return true;
          }
        }
      }
      return false;
    }

    /** Empties an entry's ids and flags (it expired); its key stays, so probe chains are intact. */
    private void clear(int slot) {
      Arrays.fill(slots, slot * WIDTH + 1, slot * WIDTH + WIDTH, 0);
      more[slot] = null;
    }

    /** The slot of {@code key}'s entry, or -1. */
    private int find(long key) {
      int mask = more.length - 1;
      for (int i = (int) key & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
        long k = slots[i * WIDTH];
        if (k == key) {
          return i;
        }
        if (k == 0) {
          return -1;
        }
      }
      return -1;
    }

    /**
     * A new entry for {@code key} (known to be absent): the first expired slot on its probe path,
     * else the empty slot ending it; grows (dropping expired entries) first when half the slots
     * are taken.
     */
    private int insert(long key, int now) {
      if ((used + 1) * 2 > more.length) {
        rehash(now);
      }
      int mask = more.length - 1;
      int i = (int) key & mask;
      while (slots[i * WIDTH] != 0) {
        if (isExpired(slots[i * WIDTH + 1], now)) {
          slots[i * WIDTH] = key;
          clear(i);
          return i;
        }
        i = (i + 1) & mask;
      }
      slots[i * WIDTH] = key;
      used++;
      return i;
    }

    private void rehash(int now) {
      long[] oldSlots = slots;
      long[][] oldMore = more;
      int live = 0;
      for (int s = 0; s < oldMore.length; s++) {
        if (oldSlots[s * WIDTH] != 0 && !isExpired(oldSlots[s * WIDTH + 1], now)) {
          live++;
        }
      }
      int capacity = 16;
      while (capacity < live * 4) { // a quarter full after a rehash, so rehashes stay rare
        capacity <<= 1;
      }
      slots = new long[capacity * WIDTH];
      more = new long[capacity][];
      int mask = capacity - 1;
      int kept = 0;
      for (int s = 0; s < oldMore.length; s++) {
        long key = oldSlots[s * WIDTH];
        if (key == 0 || isExpired(oldSlots[s * WIDTH + 1], now)) {
          continue;
        }
        int i = (int) key & mask;
        while (slots[i * WIDTH] != 0) {
          i = (i + 1) & mask;
        }
        System.arraycopy(oldSlots, s * WIDTH, slots, i * WIDTH, WIDTH);
        more[i] = oldMore[s];
        kept++;
      }
      used = kept;
    }
  }
}
