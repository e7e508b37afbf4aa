package dev.oms.memory;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One consumer group's memory of handled event ids, by order: 64 segments, each an open-addressing
 * table. See {@link InMemoryIdempotencyStore} for the rule it keeps.
 *
 * <p>Layout: probing reads {@code keys} only (eight orders per cache line, so a miss costs about one
 * line); an order's entry is {@code WIDTH} longs of {@code data} at the same slot: [0] the expiry in
 * store seconds (low 32 bits), the fingerprint count (bits 32-39), ENDED (bit 40), BLOCKED (bit 41);
 * [1..6] up to six fingerprints. An order with more ids keeps the rest in the segment's overflow map.
 */
final class OrderTable {
  private static final int SEGMENTS = 64;
  private static final int WIDTH = 7;
  private static final int INLINE = WIDTH - 1;
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
    /** The arrays as one object, so a reader without the lock sees keys and data of one generation. */
    private static final class Table {
      final long[] keys;
      final long[] data;

      Table(int capacity) {
        keys = new long[capacity];
        data = new long[capacity * WIDTH];
      }
    }

    private volatile Table table = new Table(16);
    private int used; // occupied slots, expired ones included
    private Map<Long, long[]> overflow;

    synchronized int size() {
      return used;
    }

    synchronized boolean claim(long key, long fp, int now, int afterEnd, int idle, boolean ends) {
      Table t = table;
      int slot = find(t, key);
      if (slot >= 0 && isExpired(t.data[slot * WIDTH], now)) {
        reset(t, slot);
      }
      if (slot >= 0 && contains(t, slot, key, fp)) {
        return false;
      }
      if (slot < 0) {
        slot = insert(key, now);
        t = table;
      }
      int at = slot * WIDTH;
      long meta = t.data[at];
      int count = countOf(meta);
      if (count < INLINE) {
        t.data[at + 1 + count] = fp;
        count++;
      } else {
        addOverflow(key, fp);
      }
      long flags = meta & (ENDED | BLOCKED) | (ends ? ENDED : 0);
      t.data[at] = meta((flags & ENDED) != 0 ? afterEnd : idle, count, flags);
      return true;
    }

    synchronized void release(long key, long fp) {
      Table t = table;
      int slot = find(t, key);
      if (slot < 0) {
        return;
      }
      int at = slot * WIDTH;
      long meta = t.data[at];
      int count = countOf(meta);
      for (int i = 0; i < count; i++) {
        if (t.data[at + 1 + i] == fp) {
          System.arraycopy(t.data, at + 2 + i, t.data, at + 1 + i, count - i - 1);
          t.data[at + count] = 0;
          t.data[at] = meta(expiryOf(meta), count - 1, meta & (ENDED | BLOCKED));
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
      Table t = table;
      int slot = find(t, key);
      if (slot < 0) {
        if (!blocked) {
          return;
        }
        slot = insert(key, now);
        t = table;
      }
      int at = slot * WIDTH;
      long meta = t.data[at];
      long ended = meta & ENDED;
      t.data[at] = blocked ? meta(Integer.MAX_VALUE, countOf(meta), ended | BLOCKED)
          : meta(ended != 0 ? afterEnd : idle, countOf(meta), ended);
    }

    /**
     * Marks an order ended. Most orders a bus sees end are not in most groups' tables, so the
     * look-up runs without the lock; a miss that races an insert leaves the order on the idle time,
     * which only keeps it longer.
     */
    void end(long key, int expiry) {
      if (find(table, key) < 0) {
        return;
      }
      synchronized (this) {
        Table t = table;
        int slot = find(t, key);
        if (slot < 0) {
          return;
        }
        int at = slot * WIDTH;
        long meta = t.data[at];
        t.data[at] = (meta & BLOCKED) != 0 ? meta | ENDED
            : meta(expiry, countOf(meta), (meta & (ENDED | BLOCKED)) | ENDED);
      }
    }

    private boolean contains(Table t, int slot, long key, long fp) {
      int at = slot * WIDTH;
      int count = countOf(t.data[at]);
      for (int i = 0; i < count; i++) {
        if (t.data[at + 1 + i] == fp) {
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
      long[] grown = Arrays.copyOf(more, more.length * 2);
      grown[more.length] = fp;
      overflow.put(key, grown);
    }

    private void reset(Table t, int slot) {
      Arrays.fill(t.data, slot * WIDTH, slot * WIDTH + WIDTH, 0);
      if (overflow != null) {
        overflow.remove(t.keys[slot]);
      }
    }

    private static boolean isExpired(long meta, int now) {
      return (meta & BLOCKED) == 0 && expiryOf(meta) - now < 0;
    }

    /** The slot of {@code key}'s entry, or -1. */
    private static int find(Table t, long key) {
      long[] keys = t.keys;
      int mask = keys.length - 1;
      for (int i = (int) key & mask, probes = 0; probes < keys.length; i = (i + 1) & mask, probes++) {
        long k = keys[i];
        if (k == key) {
          return i;
        }
        if (k == 0) {
          return -1;
        }
      }
      return -1;
    }

    /** A new entry for {@code key}; grows (dropping expired entries) first when the table is 60% used. */
    private int insert(long key, int now) {
      if ((used + 1) * 10 > table.keys.length * 6) {
        rehash(now);
      }
      Table t = table;
      int mask = t.keys.length - 1;
      int i = (int) key & mask;
      while (t.keys[i] != 0) {
        i = (i + 1) & mask;
      }
      t.keys[i] = key;
      used++;
      return i;
    }

    private void rehash(int now) {
      Table old = table;
      int live = 0;
      for (int slot = 0; slot < old.keys.length; slot++) {
        if (old.keys[slot] != 0 && !isExpired(old.data[slot * WIDTH], now)) {
          live++;
        }
      }
      int capacity = 16;
      while (capacity * 3 < live * 10) { // live entries fill at most 30% after a rehash
        capacity <<= 1;
      }
      Table fresh = new Table(capacity);
      int mask = capacity - 1;
      int kept = 0;
      for (int slot = 0; slot < old.keys.length; slot++) {
        long key = old.keys[slot];
        if (key == 0) {
          continue;
        }
        if (isExpired(old.data[slot * WIDTH], now)) {
          if (overflow != null) {
            overflow.remove(key);
          }
          continue;
        }
        int i = (int) key & mask;
        while (fresh.keys[i] != 0) {
          i = (i + 1) & mask;
        }
        fresh.keys[i] = key;
        System.arraycopy(old.data, slot * WIDTH, fresh.data, i * WIDTH, WIDTH);
        kept++;
      }
      used = kept;
      table = fresh; // published whole: an unlocked reader sees the old table or this one
    }
  }
}
