package dev.oms.memory;

import java.util.HashMap;
import java.util.Map;

/**
 * One consumer group's memory of handled event ids, by order: 64 segments, each an open-addressing
 * table of 8-long entries. See {@link InMemoryIdempotencyStore} for the rule it keeps.
 *
 * <p>Entry layout: [0] the order's key hash (0 = empty slot); [1] the expiry in store seconds (low
 * 32 bits), the fingerprint count (bits 32-39), ENDED (bit 40), BLOCKED (bit 41); [2..7] up to six
 * fingerprints. An order with more ids keeps the rest in the segment's overflow map.
 */
final class OrderTable {
  private static final int SEGMENTS = 64;
  private static final int WIDTH = 8;
  private static final int INLINE = WIDTH - 2;
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

  long entries() {
    long n = 0;
    for (Segment segment : segments) {
      n += segment.size();
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

  /** A part of the table with its own lock: orders of other segments never wait for it. */
  private static final class Segment {
    private long[] slots = new long[16 * WIDTH];
    private int used; // occupied slots, expired ones included
    private Map<Long, long[]> overflow;

    synchronized int size() {
      return used;
    }

    synchronized boolean claim(long key, long fp, int now, int afterEnd, int idle, boolean ends) {
      int at = find(key);
      if (at >= 0 && isExpired(slots[at + 1], now)) {
        reset(at);
      }
      if (at >= 0 && contains(at, key, fp)) {
        return false;
      }
      if (at < 0) {
        at = insert(key, now);
      }
      long meta = slots[at + 1];
      int count = countOf(meta);
      if (count < INLINE) {
        slots[at + 2 + count] = fp;
        count++;
      } else {
        addOverflow(key, fp);
      }
      long flags = meta & (ENDED | BLOCKED) | (ends ? ENDED : 0);
      slots[at + 1] = meta((flags & ENDED) != 0 ? afterEnd : idle, count, flags);
      return true;
    }

    synchronized void release(long key, long fp) {
      int at = find(key);
      if (at < 0) {
        return;
      }
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
      if (overflow != null) {
        long[] more = overflow.get(key);
        if (more != null) {
          for (int i = 0; i < more.length; i++) {
            if (more[i] == fp) {
              more[i] = 0;
            }
          }
        }
      }
    }

    synchronized void block(long key, boolean blocked, int now, int afterEnd, int idle) {
      int at = find(key);
      if (at < 0) {
        if (!blocked) {
          return;
        }
        at = insert(key, now);
      }
      long meta = slots[at + 1];
      long ended = meta & ENDED;
      slots[at + 1] = blocked ? meta(Integer.MAX_VALUE, countOf(meta), ended | BLOCKED)
          : meta(ended != 0 ? afterEnd : idle, countOf(meta), ended);
    }

    synchronized void end(long key, int expiry) {
      int at = find(key);
      if (at < 0) {
        return;
      }
      long meta = slots[at + 1];
      if ((meta & BLOCKED) != 0) {
        slots[at + 1] = meta | ENDED;
        return;
      }
      slots[at + 1] = meta(expiry, countOf(meta), (meta & (ENDED | BLOCKED)) | ENDED);
    }

    private boolean contains(int at, long key, long fp) {
      int count = countOf(slots[at + 1]);
      for (int i = 0; i < count; i++) {
        if (slots[at + 2 + i] == fp) {
          return true;
        }
      }
      if (count == INLINE && overflow != null) {
        long[] more = overflow.get(key);
        if (more != null) {
          for (long f : more) {
            if (f == fp) {
              return true;
            }
          }
        }
      }
      return false;
    }

    private void addOverflow(long key, long fp) {
      if (overflow == null) {
        overflow = new HashMap<>();
      }
      long[] more = overflow.get(key);
      if (more == null) {
        overflow.put(key, new long[] {fp});
        return;
      }
      for (int i = 0; i < more.length; i++) {
        if (more[i] == 0) {
          more[i] = fp;
          return;
        }
      }
      long[] grown = java.util.Arrays.copyOf(more, more.length * 2);
      grown[more.length] = fp;
      overflow.put(key, grown);
    }

    private void reset(int at) {
      long key = slots[at];
      java.util.Arrays.fill(slots, at + 1, at + WIDTH, 0);
      if (overflow != null) {
        overflow.remove(key);
      }
    }

    private static boolean isExpired(long meta, int now) {
      return (meta & BLOCKED) == 0 && expiryOf(meta) - now < 0;
    }

    /** The slot index of {@code key}'s entry, or -1. */
    private int find(long key) {
      int capacity = slots.length / WIDTH;
      int mask = capacity - 1;
      for (int i = (int) key & mask, probes = 0; probes < capacity; i = (i + 1) & mask, probes++) {
        long k = slots[i * WIDTH];
        if (k == key) {
          return i * WIDTH;
        }
        if (k == 0) {
          return -1;
        }
      }
      return -1;
    }

    /** A new entry for {@code key}; grows (dropping expired entries) first when the table is 70% used. */
    private int insert(long key, int now) {
      int capacity = slots.length / WIDTH;
      if ((used + 1) * 10 > capacity * 7) {
        rehash(now);
        capacity = slots.length / WIDTH;
      }
      int mask = capacity - 1;
      int i = (int) key & mask;
      while (slots[i * WIDTH] != 0) {
        i = (i + 1) & mask;
      }
      slots[i * WIDTH] = key;
      used++;
      return i * WIDTH;
    }

    private void rehash(int now) {
      long[] old = slots;
      int live = 0;
      for (int at = 0; at < old.length; at += WIDTH) {
        if (old[at] != 0 && !isExpired(old[at + 1], now)) {
          live++;
        }
      }
      int capacity = 16;
      while (capacity * 4 < live * 10) { // live entries fill at most 40% after a rehash
        capacity <<= 1;
      }
      slots = new long[capacity * WIDTH];
      used = 0;
      int mask = capacity - 1;
      for (int at = 0; at < old.length; at += WIDTH) {
        long key = old[at];
        if (key == 0) {
          continue;
        }
        if (isExpired(old[at + 1], now)) {
          if (overflow != null) {
            overflow.remove(key);
          }
          continue;
        }
        int i = (int) key & mask;
        while (slots[i * WIDTH] != 0) {
          i = (i + 1) & mask;
        }
        System.arraycopy(old, at, slots, i * WIDTH, WIDTH);
        used++;
      }
    }
  }
}
