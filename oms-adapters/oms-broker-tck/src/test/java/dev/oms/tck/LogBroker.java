package dev.oms.tck;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import dev.oms.broker.spi.BrokerCapabilities;
import dev.oms.broker.spi.BrokerContext;
import dev.oms.broker.spi.BrokerRecord;
import dev.oms.broker.spi.KeyOrder;
import dev.oms.broker.spi.BrokerSubscription;
import dev.oms.broker.spi.EventBroker;
import dev.oms.broker.spi.RecordHandler;
import dev.oms.broker.spi.SubscriptionRequest;
import dev.oms.codec.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A test double of a remote, durable, replaying broker, so the kit's optional tier and its
 * remote-only rules run in this module's own build: a partitioned log per namespace (the "server",
 * which outlives instances), records in CloudEvents binary mode, consumer groups whose members
 * (one per unit of concurrency, across instances) split the partitions and commit offsets after
 * each handled record. {@link #crash()} stops an instance without committing anything in flight.
 */
final class LogBroker implements EventBroker {
  static final int PARTITIONS = 8;
  static final int MAX_RECORD_BYTES = 64 * 1024;
  private static final Map<String, Backend> BACKENDS = new ConcurrentHashMap<>();
  private static final AtomicLong MEMBER_IDS = new AtomicLong();

  private final Backend backend;
  private final List<Sub> subs = new CopyOnWriteArrayList<>();
  private volatile BrokerContext context;
  private volatile boolean closing;
  private volatile boolean crashed;

  LogBroker(String namespace) {
    this.backend = BACKENDS.computeIfAbsent(namespace, ns -> new Backend());
  }

  static int restarts(String namespace) {
    return BACKENDS.get(namespace).restarts;
  }

  /** "Restarts the server": what was appended stays, since this log is durable. */
  static void restart(String namespace) {
    BACKENDS.get(namespace).restarts++;
  }

  @Override
  public String name() {
    return "test-log";
  }

  @Override
  public BrokerCapabilities capabilities() {
    return BrokerCapabilities.builder().durable(true).replay(true).maxRecordBytes(MAX_RECORD_BYTES)
        .keyOrder(KeyOrder.NATIVE, true).build();
  }

  @Override
  public void start(BrokerContext context) {
    this.context = context;
  }

  @Override
  public CompletionStage<Void> send(BrokerRecord record) {
    if (closing || crashed) {
      return CompletableFuture.failedFuture(new OmsException(Kind.CLOSED, "test-log broker is closed"));
    }
    EventCodec.BinaryEvent event;
    try {
      event = context.encodeBinary(record);
    } catch (OmsException e) {
      return CompletableFuture.failedFuture(e);
    }
    int size = event.data().length + event.attributes().values().stream().mapToInt(String::length).sum();
    if (size > MAX_RECORD_BYTES) {
      return CompletableFuture.failedFuture(new OmsException(Kind.OVERSIZED_EVENT,
          "record of " + size + " bytes is over test-log's limit of " + MAX_RECORD_BYTES + " bytes"));
    }
    String key = record.key() != null ? record.key() : event.attributes().get("subject");
    backend.append(Math.floorMod(key.hashCode(), PARTITIONS), new Stored(key, event));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized BrokerSubscription subscribe(SubscriptionRequest request, RecordHandler handler) {
    if (closing || crashed) {
      throw new OmsException(Kind.CLOSED, "test-log broker is closed");
    }
    Sub sub = new Sub(request, handler);
    subs.add(sub);
    sub.start();
    return sub;
  }

  @Override
  public boolean close(Duration drainTimeout) {
    closing = true;
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    boolean drained = true;
    for (Sub sub : subs) {
      while (!sub.paused && !sub.caughtUp() && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(1_000_000);
      }
      drained &= sub.paused || sub.caughtUp();
      sub.close();
    }
    return drained;
  }

  /** Stops every member at once: nothing in flight is committed. */
  void crash() {
    crashed = true;
    for (Sub sub : subs) {
      sub.close();
    }
  }

  private record Stored(String key, EventCodec.BinaryEvent event) {}

  /** The "server" of one namespace: partitions, committed offsets and members per group. */
  private static final class Backend {
    final List<List<Stored>> partitions = new ArrayList<>();
    final Map<String, long[]> committed = new HashMap<>();
    final Map<String, List<Member>> members = new HashMap<>();
    final Map<String, ReentrantLock[]> locks = new HashMap<>();
    volatile int restarts;

    Backend() {
      for (int p = 0; p < PARTITIONS; p++) {
        partitions.add(new ArrayList<>());
      }
    }

    synchronized void append(int partition, Stored stored) {
      partitions.get(partition).add(stored);
    }

    synchronized Stored read(int partition, long offset) {
      List<Stored> log = partitions.get(partition);
      return offset < log.size() ? log.get((int) offset) : null;
    }

    synchronized long committed(String group, int partition) {
      return committed.computeIfAbsent(group, g -> new long[PARTITIONS])[partition];
    }

    synchronized void commit(String group, int partition, long next) {
      long[] offsets = committed.computeIfAbsent(group, g -> new long[PARTITIONS]);
      offsets[partition] = Math.max(offsets[partition], next);
    }

    synchronized long lag(String group) {
      long lag = 0;
      for (int p = 0; p < PARTITIONS; p++) {
        lag += partitions.get(p).size() - committed(group, p);
      }
      return lag;
    }

    synchronized ReentrantLock lock(String group, int partition) {
      return locks.computeIfAbsent(group, g -> {
        ReentrantLock[] l = new ReentrantLock[PARTITIONS];
        for (int i = 0; i < PARTITIONS; i++) {
          l[i] = new ReentrantLock();
        }
        return l;
      })[partition];
    }

    synchronized void join(Member member) {
      members.computeIfAbsent(member.sub.group, g -> new ArrayList<>()).add(member);
    }

    synchronized void leave(Member member) {
      members.getOrDefault(member.sub.group, new ArrayList<>()).remove(member);
    }

    /** Partition p belongs to the member at index p modulo the group's size (members in join order). */
    synchronized boolean owns(Member member, int partition) {
      List<Member> group = members.getOrDefault(member.sub.group, List.of());
      return !group.isEmpty() && group.get(partition % group.size()) == member;
    }
  }

  /** One subscription: {@code concurrency} members of the group. */
  private final class Sub implements BrokerSubscription {
    final String group;
    final Set<String> types;
    final RecordHandler handler;
    final List<Member> members = new ArrayList<>();
    volatile boolean paused;
    volatile boolean stopped;

    Sub(SubscriptionRequest request, RecordHandler handler) {
      this.group = request.group();
      this.types = request.types();
      this.handler = handler;
      for (int i = 0; i < request.concurrency(); i++) {
        members.add(new Member(this));
      }
    }

    void start() {
      for (Member member : members) {
        backend.join(member);
        member.thread.start();
      }
    }

    boolean caughtUp() {
      for (int p = 0; p < PARTITIONS; p++) {
        for (Member member : members) {
          if (backend.owns(member, p) && backend.read(p, backend.committed(group, p)) != null) {
            return false;
          }
        }
      }
      return true;
    }

    @Override
    public void pause() {
      paused = true;
    }

    @Override
    public void resume() {
      paused = false;
    }

    @Override
    public boolean isPaused() {
      return paused;
    }

    @Override
    public long backlog() {
      return backend.lag(group);
    }

    @Override
    public void close() {
      stopped = true;
      for (Member member : members) {
        backend.leave(member);
        member.thread.interrupt();
      }
      subs.remove(this);
    }
  }

  /** One consumer thread: handles, in offset order, the partitions it owns, committing after each record. */
  private final class Member implements Runnable {
    final long id = MEMBER_IDS.incrementAndGet();
    final Sub sub;
    final Thread thread;

    Member(Sub sub) {
      this.sub = sub;
      this.thread = new Thread(this, "test-log-" + sub.group + "-" + id);
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      while (!sub.stopped) {
        boolean progressed = false;
        for (int p = 0; p < PARTITIONS && !sub.paused && !sub.stopped; p++) {
          progressed |= pollOnce(p);
        }
        if (!progressed) {
          LockSupport.parkNanos(1_000_000);
        }
      }
    }

    private boolean pollOnce(int partition) {
      ReentrantLock lock = backend.lock(sub.group, partition);
      try {
        if (!lock.tryLock(1, TimeUnit.MILLISECONDS)) {
          return false;
        }
      } catch (InterruptedException e) {
        return false;
      }
      try {
        long offset = backend.committed(sub.group, partition);
        Stored stored = backend.owns(this, partition) ? backend.read(partition, offset) : null;
        if (stored == null) {
          return false;
        }
        if (sub.types.contains(stored.event().attributes().get("type")) && !deliver(stored)) {
          return false; // stopped or crashed: nothing committed
        }
        backend.commit(sub.group, partition, offset + 1);
        return true;
      } finally {
        lock.unlock();
      }
    }

    private boolean deliver(Stored stored) {
      while (!sub.stopped && !crashed) {
        try {
          Settle.deliver(sub.handler, BrokerRecord.ofBinary(stored.key(), stored.event().attributes(), stored.event().data()));
          return !crashed;
        } catch (Exception rejected) {
          LockSupport.parkNanos(20_000_000);
        }
      }
      return false;
    }
  }
}
