package dev.oms.memory;

import dev.oms.OmsException;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.internal.Require;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default dead-letter store: in memory, for one process, insertion-ordered, and bounded by a
 * stated policy: at most {@code maxEntries} entries and {@code maxBytes} bytes (as
 * {@link DeadLetter#approximateBytes()} counts them). When either bound is reached, {@link #add}
 * and {@link #park} refuse with {@link OmsException.Kind#DEAD_LETTERS_FULL}: the bus then refuses a
 * malformed event to its publisher, or leaves a failing record on the broker to be delivered again
 * later; nothing is dropped, and redriving or discarding makes room.
 *
 * <p>Dead letters are rare, so a plain lock guards changes; the per-delivery question "is this
 * order blocked in this group" costs one volatile read while nothing is blocked, and two map
 * lookups otherwise.
 */
public final class InMemoryDeadLetterStore implements DeadLetterStore {
  private static final Logger log = LoggerFactory.getLogger(InMemoryDeadLetterStore.class);

  /** 100,000 entries. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;
  /** 128 MiB. */
  public static final long DEFAULT_MAX_BYTES = 128L << 20;

  private final int maxEntries;
  private final long maxBytes;
  private final Map<String, DeadLetter> entries = new LinkedHashMap<>();
  private final Map<String, Map<String, DeadLetter>> byGroup = new LinkedHashMap<>();
  /** group -> order -> ids of its entries, oldest first; read without the lock. */
  private final Map<String, ConcurrentHashMap<String, ArrayDeque<String>>> blocked = new ConcurrentHashMap<>();
  private volatile int blockedOrders;
  private long bytes;
  private final AtomicLong refusals = new AtomicLong();

  /** A store with the default bounds. */
  public InMemoryDeadLetterStore() {
    this(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES);
  }

  /** A store holding at most {@code maxEntries} entries and {@code maxBytes} bytes. */
  public InMemoryDeadLetterStore(int maxEntries, long maxBytes) {
    Require.configCheck(maxEntries >= 1, "maxEntries must be >= 1, was " + maxEntries);
    Require.configCheck(maxBytes >= 1, "maxBytes must be >= 1, was " + maxBytes);
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  @Override
  public synchronized void add(DeadLetter deadLetter) {
    requireRoom(deadLetter);
    put(deadLetter);
  }

  @Override
  public synchronized boolean park(DeadLetter parked) {
    if (parked.key() == null || !isBlocked(parked.group(), parked.key())) {
      return false;
    }
    requireRoom(parked);
    put(parked);
    return true;
  }

  private void requireRoom(DeadLetter dl) {
    long size = dl.approximateBytes();
    if (entries.size() >= maxEntries || bytes + size > maxBytes) {
      long n = refusals.incrementAndGet();
      if (n == 1 || n % 1000 == 0) {
        log.warn("dead-letter store full ({} of {} entries, {} of {} bytes): refused {} ({} refusals so far); "
            + "redrive or discard dead letters to make room", entries.size(), maxEntries, bytes, maxBytes, dl, n);
      }
      throw new OmsException(OmsException.Kind.DEAD_LETTERS_FULL, "the dead-letter store is full (" + entries.size()
          + " of " + maxEntries + " entries, " + bytes + " of " + maxBytes + " bytes); redrive or discard dead "
          + "letters, or raise its bounds");
    }
  }

  private void put(DeadLetter dl) {
    DeadLetter previous = entries.put(dl.id(), dl);
    if (previous != null) {
      bytes -= previous.approximateBytes();
      unindex(previous);
    }
    bytes += dl.approximateBytes();
    byGroup.computeIfAbsent(dl.group(), g -> new LinkedHashMap<>()).put(dl.id(), dl);
    if (dl.key() != null) {
      ArrayDeque<String> ids = blocked.computeIfAbsent(dl.group(), g -> new ConcurrentHashMap<>())
          .computeIfAbsent(dl.key(), k -> new ArrayDeque<>(2));
      if (ids.isEmpty()) {
        blockedOrders++;
      }
      ids.add(dl.id());
    }
  }

  private void unindex(DeadLetter dl) {
    Map<String, DeadLetter> group = byGroup.get(dl.group());
    if (group != null) {
      group.remove(dl.id());
    }
    if (dl.key() == null) {
      return;
    }
    ConcurrentHashMap<String, ArrayDeque<String>> orders = blocked.get(dl.group());
    ArrayDeque<String> ids = orders == null ? null : orders.get(dl.key());
    if (ids != null && ids.remove(dl.id()) && ids.isEmpty()) {
      orders.remove(dl.key());
      blockedOrders--;
    }
  }

  @Override
  public synchronized Optional<DeadLetter> get(String id) {
    return Optional.ofNullable(entries.get(id));
  }

  @Override
  public synchronized void update(DeadLetter deadLetter) {
    DeadLetter previous = entries.get(deadLetter.id());
    if (previous == null) {
      return;
    }
    entries.replace(deadLetter.id(), deadLetter); // keeps its place in the order
    bytes += deadLetter.approximateBytes() - previous.approximateBytes();
    Map<String, DeadLetter> group = byGroup.get(deadLetter.group());
    if (group != null) {
      group.replace(deadLetter.id(), deadLetter);
    }
  }

  @Override
  public synchronized List<DeadLetter> list() {
    return new ArrayList<>(entries.values());
  }

  @Override
  public synchronized List<DeadLetter> list(String group) {
    Map<String, DeadLetter> entriesOfGroup = byGroup.get(group);
    return entriesOfGroup == null ? List.of() : new ArrayList<>(entriesOfGroup.values());
  }

  @Override
  public synchronized List<DeadLetter> blocking(String group, String key) {
    ConcurrentHashMap<String, ArrayDeque<String>> orders = blocked.get(group);
    ArrayDeque<String> ids = orders == null || key == null ? null : orders.get(key);
    if (ids == null) {
      return List.of();
    }
    List<DeadLetter> result = new ArrayList<>(ids.size());
    for (String id : ids) {
      result.add(entries.get(id));
    }
    return result;
  }

  @Override
  public boolean isBlocked(String group, String key) {
    if (blockedOrders == 0 || key == null) {
      return false;
    }
    ConcurrentHashMap<String, ArrayDeque<String>> orders = blocked.get(group);
    return orders != null && orders.containsKey(key);
  }

  @Override
  public synchronized boolean remove(String id) {
    DeadLetter removed = entries.remove(id);
    if (removed == null) {
      return false;
    }
    bytes -= removed.approximateBytes();
    unindex(removed);
    return true;
  }

  /** Entries stored now. */
  public synchronized int size() {
    return entries.size();
  }

  /** Bytes stored now, as {@link DeadLetter#approximateBytes()} counts them. */
  public synchronized long bytes() {
    return bytes;
  }

  /** How many entries were refused because a bound was reached. */
  public long refusals() {
    return refusals.get();
  }

  public int maxEntries() {
    return maxEntries;
  }

  public long maxBytes() {
    return maxBytes;
  }
}
