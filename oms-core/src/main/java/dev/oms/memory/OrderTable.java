package dev.oms.memory;

import java.util.Arrays;

/**
 * The idempotency store's memory of handled event ids, by order, for every group of the store in
 * one entry. See {@link InMemoryIdempotencyStore} for the rule it keeps; this is how it keeps it
 * cheaply, since every delivery claims here.
 *
 * <p>One entry per order, not one per order and group: an order's events pass through the groups
 * within moments of each other, so after the first group's claim the entry is in the cache for the
 * others (the pipeline's 17 deliveries of an order touch one entry), and an order costs 192 bytes
 * whatever the number of groups. Ids are fingerprints salted by group, tagged with the group's
 * number in their low byte (see {@link InMemoryIdempotencyStore#fingerprint}).
 *
 * <p>Shape: 64 segments (each with its own lock), each an open-addressing table whose slot is 24
 * longs: [0] the order's key hash (0 = empty), [1] its expiry in store ticks (low 32 bits), the id
 * count (bits 32-39), ENDED (bit 40), where the next id goes once the slot is full (bits 41-45),
 * the number of groups holding it blocked (bits 48-55), [2..23] up to {@link #MAX_IDS}
 * fingerprints. A claim reads only the lines its ids fill (a new order's first claim, one). Past
 * {@link #MAX_IDS} ids the oldest gives way (the pipeline brings an order 17 deliveries in all).
 * Tables stay at most half full; an expired slot is taken by the next new order whose probe passes
 * it, so a table stays proportional to the orders it must remember.
 */
final class OrderTable {
  private static final int SEGMENTS = 64;
  private static final int WIDTH = 24;
  /** Event ids kept per order, all groups together. */
  static final int MAX_IDS = WIDTH - 2;
  private static final long ENDED = 1L << 40;
  private static final int NEXT_SHIFT = 41;
  private static final long NEXT_MASK = 0x1FL << NEXT_SHIFT;
  private static final int BLOCKED_SHIFT = 48;
  private static final long BLOCKED_MASK = 0xFFL << BLOCKED_SHIFT;
  private static final long BLOCKED_ONE = 1L << BLOCKED_SHIFT;

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

  /** One group more (or fewer) holds the order blocked; while any does, it never expires. */
  void block(long key, boolean blocked, int now, int afterEnd, int idle) {
    segment(key).block(key, blocked, now, afterEnd, idle);
  }

  void end(long key, int expiry) {
    segment(key).end(key, expiry);
  }

  /** Ids of the group tagged {@code tag} in reach now (a scan: diagnostics and tests). */
  long entries(int tag, int now) {
    long n = 0;
    for (Segment segment : segments) {
      n += segment.size(tag, now);
    }
    return n;
  }

  /** Slots allocated: 192 bytes each. */
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
    return (meta & BLOCKED_MASK) == 0 && expiryOf(meta) - now < 0;
  }

  /** A part of the table with its own lock: orders of other segments never wait for it. */
  private static final class Segment {
    private long[] slots = new long[16 * WIDTH];
    private int mask = 15;
    private int used; // occupied slots, expired ones included

    synchronized int size(int tag, int now) {
      int n = 0;
      for (int s = 0; s <= mask; s++) {
        long meta = slots[s * WIDTH + 1];
        if (slots[s * WIDTH] == 0 || isExpired(meta, now)) {
          continue;
        }
        for (int i = 0; i < countOf(meta); i++) {
          long fp = slots[s * WIDTH + 2 + i];
          n += fp != 0 && (int) (fp & 0xFF) == tag ? 1 : 0;
        }
      }
      return n;
    }

    synchronized int capacity() {
      return mask + 1;
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
      long next = meta & NEXT_MASK;
      if (count < MAX_IDS) {
        slots[at + 2 + count] = fp;
        count++;
      } else { // full: the oldest gives way, round the slot
        int position = (int) (next >>> NEXT_SHIFT);
        slots[at + 2 + position] = fp;
        next = (long) (position + 1 == MAX_IDS ? 0 : position + 1) << NEXT_SHIFT;
      }
      long flags = meta & (ENDED | BLOCKED_MASK) | (ends ? ENDED : 0) | next;
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
          if (count < MAX_IDS) {
            System.arraycopy(slots, at + 3 + i, slots, at + 2 + i, count - i - 1);
            slots[at + 1 + count] = 0;
            slots[at + 1] = meta(expiryOf(meta), count - 1, meta & ~0xFFFFFFFFFFL);
          } else {
            slots[at + 2 + i] = 0; // a full slot keeps its round order; 0 matches no fingerprint
          }
          return;
        }
      }
    }

    synchronized void block(long key, boolean blocked, int now, int afterEnd, int idle) {
      int slot = find(key);
      if (slot < 0 || isExpired(slots[slot * WIDTH + 1], now)) {
        if (!blocked) {
          return;
        }
        if (slot < 0) {
          slot = insert(key, now);
        } else {
          clear(slot);
        }
      }
      int at = slot * WIDTH;
      long meta = slots[at + 1];
      long holders = (meta & BLOCKED_MASK) + (blocked ? BLOCKED_ONE : -BLOCKED_ONE);
      if (holders < 0 || holders > BLOCKED_MASK) {
        return; // more releases than blocks, or more than 255 groups: the store's set keeps them paired
      }
      long ended = meta & ENDED;
      int expiry = holders != 0 ? expiryOf(meta) : ended != 0 ? afterEnd : idle;
      slots[at + 1] = meta(expiry, countOf(meta), ended | holders | (meta & NEXT_MASK));
    }

    synchronized void end(long key, int expiry) {
      int slot = find(key);
      if (slot < 0) {
        return;
      }
      int at = slot * WIDTH;
      long meta = slots[at + 1];
      slots[at + 1] = meta(expiry, countOf(meta), (meta & (BLOCKED_MASK | NEXT_MASK)) | ENDED);
    }

    private boolean contains(int slot, long fp) {
      int at = slot * WIDTH;
      int end = at + 2 + countOf(slots[at + 1]);
      for (int i = at + 2; i < end; i++) {
        if (slots[i] == fp) {
          return true;
        }
      }
      return false;
    }

    /** Empties an entry's ids and flags (it expired); its key stays, so probe chains are intact. */
    private void clear(int slot) {
      Arrays.fill(slots, slot * WIDTH + 1, slot * WIDTH + WIDTH, 0);
    }

    /** The slot of {@code key}'s entry, or -1. */
    private int find(long key) {
      int mask = this.mask;
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
      if ((used + 1) * 2 > mask + 1) {
        rehash(now);
      }
      int mask = this.mask;
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
      int oldCapacity = mask + 1;
      int live = 0;
      for (int s = 0; s < oldCapacity; s++) {
        if (oldSlots[s * WIDTH] != 0 && !isExpired(oldSlots[s * WIDTH + 1], now)) {
          live++;
        }
      }
      int capacity = 16;
      while (capacity < live * 3) { // at most a third full after a rehash, so rehashes stay rare
        capacity <<= 1;
      }
      slots = new long[capacity * WIDTH];
      mask = capacity - 1;
      int kept = 0;
      for (int s = 0; s < oldCapacity; s++) {
        long key = oldSlots[s * WIDTH];
        if (key == 0 || isExpired(oldSlots[s * WIDTH + 1], now)) {
          continue;
        }
        int i = (int) key & mask;
        while (slots[i * WIDTH] != 0) {
          i = (i + 1) & mask;
        }
        System.arraycopy(oldSlots, s * WIDTH, slots, i * WIDTH, WIDTH);
        kept++;
      }
      used = kept;
    }
  }
}
