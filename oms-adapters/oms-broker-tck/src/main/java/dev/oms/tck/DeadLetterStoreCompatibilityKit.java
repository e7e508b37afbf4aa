package dev.oms.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.oms.OmsException;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.spi.DeadLetterStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The dead-letter store compatibility kit: the rules every {@link DeadLetterStore} must pass, so the
 * delivery runtime's parking, redrive and bounds work the same on any backend. A store module
 * depends on {@code dev.oms:oms-broker-tck} in test scope and extends this class once:
 *
 * <pre>{@code
 * class MyStoreCompatibilityTest extends DeadLetterStoreCompatibilityKit {
 *   @Override protected DeadLetterStore createStore(String namespace) { return MyStore.create(namespace); }
 *   @Override protected Bounded createBoundedStore(String namespace) { return new Bounded(MyStore.create(namespace, 5), 5); }
 * }
 * }</pre>
 *
 * <p>Every test gets a fresh namespace ({@code tck-dls-<test>-<random>}, lowercase
 * {@code [a-z0-9-]}, at most 40 characters) and group names unique to the test, so a store on a
 * shared backend never sees another test's entries. Every store the kit creates is closed after
 * the test when it is {@link AutoCloseable}. Test names say the rule they check.
 */
public abstract class DeadLetterStoreCompatibilityKit {
  private final Deque<AutoCloseable> closeAfter = new ArrayDeque<>();
  private String namespace;
  private String run;

  // ---------------------------------------------------------------- what a store implements

  /** A new store in {@code namespace}; stores of different namespaces must not see each other. */
  protected abstract DeadLetterStore createStore(String namespace);

  /**
   * For a store shared by several processes: a second instance on the same backend and namespace as
   * {@code first} (as another process would open it). Empty for a store used by one process (the
   * default), which skips the sharing rule with that reason.
   */
  protected Optional<DeadLetterStore> createSecondInstance(String namespace, DeadLetterStore first) {
    return Optional.empty();
  }

  /**
   * A store in {@code namespace} with a small bound, and how many of the kit's entries (each under
   * 1 KiB, {@link DeadLetter#approximateBytes()} included) it accepts before it refuses. Every store
   * is bounded (see {@link DeadLetterStore}); the bound rule fails, saying so, when this is not
   * overridden. Keep the bound small (tens of entries): the kit fills the store to it.
   */
  protected Bounded createBoundedStore(String namespace) {
    throw new UnsupportedOperationException("createBoundedStore(namespace) is not implemented by this store's kit "
        + "subclass; every dead-letter store is bounded: return one with a small bound and say how many entries it takes");
  }

  /** A store with a small bound: it accepts {@code maxEntries} of the kit's entries, then refuses. */
  public record Bounded(DeadLetterStore store, int maxEntries) {
    public Bounded {
      Objects.requireNonNull(store, "store");
      if (maxEntries < 1 || maxEntries > 1000) {
        throw new IllegalArgumentException("maxEntries must be 1..1000 for the kit to fill it, was " + maxEntries);
      }
    }
  }

  /** How many park-against-remove races the atomicity rule runs; a remote store may lower it. 300 by default. */
  protected int parkRaces() {
    return 300;
  }

  /** How long the kit waits for one store call or one batch of concurrent calls. 30 s by default. */
  protected Duration timeout() {
    return Duration.ofSeconds(30);
  }

  // ---------------------------------------------------------------- lifecycle and tools

  @BeforeEach
  final void kitSetUp(TestInfo info) {
    String method = info.getTestMethod().map(m -> m.getName()).orElse(info.getDisplayName());
    namespace = BrokerCompatibilityKit.namespaceFor("dls-" + method.replaceFirst("^(required|optional)_", ""));
    run = namespace.substring(namespace.lastIndexOf('-') + 1);
  }

  @AfterEach
  final void kitTearDown() throws Exception {
    while (!closeAfter.isEmpty()) {
      closeAfter.pop().close();
    }
  }

  private DeadLetterStore store() {
    return track(Objects.requireNonNull(createStore(namespace), "createStore returned null"));
  }

  private <T> T track(T store) {
    if (store instanceof AutoCloseable closeable) {
      closeAfter.push(closeable);
    }
    return store;
  }

  private String group(String purpose) {
    return purpose + "-" + run;
  }

  private String key(int i) {
    return "tck-dls-" + run + "-" + i;
  }

  /** A failure (not parked) of {@code key} in {@code group}. */
  private static DeadLetter failure(String group, String key) {
    return new DeadLetter(UUID.randomUUID().toString(), group, key, "dev.oms.stock.out-of-stock",
        UUID.randomUUID().toString(), ("{\"kit\":\"" + key + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8),
        Map.of("kit", "1"), "java.lang.IllegalStateException: kit failure", 3, Instant.now(), null);
  }

  /** A record of {@code behind}'s order parked behind it. */
  private static DeadLetter parkedBehind(DeadLetter behind) {
    return new DeadLetter(UUID.randomUUID().toString(), behind.group(), behind.key(), behind.type(),
        UUID.randomUUID().toString(), behind.body(), Map.of(), "parked behind dead letter " + behind.id(), 0,
        Instant.now(), behind.id());
  }

  private static List<String> ids(List<DeadLetter> entries) {
    return entries.stream().map(DeadLetter::id).collect(Collectors.toList());
  }

  /** Field by field (arrays by content, times to the millisecond). */
  private static void assertSameEntry(DeadLetter actual, DeadLetter expected, String what) {
    assertThat(actual).as("%s: stored entry", what).isNotNull();
    assertThat(actual.id()).as("%s: id", what).isEqualTo(expected.id());
    assertThat(actual.group()).as("%s: group", what).isEqualTo(expected.group());
    assertThat(actual.key()).as("%s: key", what).isEqualTo(expected.key());
    assertThat(actual.type()).as("%s: type", what).isEqualTo(expected.type());
    assertThat(actual.eventId()).as("%s: event id", what).isEqualTo(expected.eventId());
    assertThat(actual.body()).as("%s: body bytes", what).isEqualTo(expected.body());
    assertThat(actual.headers()).as("%s: headers", what).isEqualTo(expected.headers());
    assertThat(actual.reason()).as("%s: reason", what).isEqualTo(expected.reason());
    assertThat(actual.attempts()).as("%s: attempts", what).isEqualTo(expected.attempts());
    assertThat(Duration.between(actual.deadLetteredAt(), expected.deadLetteredAt()).abs())
        .as("%s: deadLetteredAt %s vs %s", what, actual.deadLetteredAt(), expected.deadLetteredAt())
        .isLessThan(Duration.ofMillis(1));
    assertThat(actual.parkedBehind()).as("%s: parkedBehind", what).isEqualTo(expected.parkedBehind());
  }

  private <T> T within(Future<T> future, String what) throws Exception {
    try {
      return future.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(what + " did not finish within " + timeout(), e);
    }
  }

  // ---------------------------------------------------------------- the rules

  @Test
  void required_crud_anAddedEntryIsReadBackUpdatedAndRemoved() {
    DeadLetterStore store = store();
    DeadLetter dl = failure(group("crud"), key(0));

    store.add(dl);
    assertSameEntry(store.get(dl.id()).orElse(null), dl, "get after add");

    DeadLetter retried = new DeadLetter(dl.id(), dl.group(), dl.key(), dl.type(), dl.eventId(), dl.body(),
        dl.headers(), "java.lang.IllegalStateException: failed again on redrive", 5, dl.deadLetteredAt(), null);
    store.update(retried);
    assertSameEntry(store.get(dl.id()).orElse(null), retried, "get after update");
    assertThat(store.list(dl.group())).as("entries of the group after an update").hasSize(1);

    assertThat(store.remove(dl.id())).as("remove of a stored entry").isTrue();
    assertThat(store.get(dl.id())).as("get after remove").isEmpty();
    assertThat(store.remove(dl.id())).as("remove of an entry already removed").isFalse();
    assertThat(store.list(dl.group())).as("entries of the group after remove").isEmpty();
    store.update(retried); // updating an entry that is gone is a no-op
    assertThat(store.get(dl.id())).as("get after updating a removed entry (update must not re-add it)").isEmpty();
    assertThat(store.get("no-such-" + run)).as("get of an id never stored").isEmpty();
  }

  @Test
  void required_list_entriesComeInInsertionOrderAndGroupsAreIsolated() {
    DeadLetterStore store = store();
    String one = group("one");
    String two = group("two");
    List<DeadLetter> ofOne = new ArrayList<>();
    List<DeadLetter> ofTwo = new ArrayList<>();
    for (int i = 0; i < 12; i++) { // interleaved groups, several keys, one keyless entry
      DeadLetter a = failure(one, i == 5 ? null : key(i % 4));
      DeadLetter b = failure(two, key(i % 3));
      store.add(a);
      store.add(b);
      ofOne.add(a);
      ofTwo.add(b);
    }

    assertThat(ids(store.list(one))).as("list(group) of group one, in insertion order").containsExactlyElementsOf(ids(ofOne));
    assertThat(ids(store.list(two))).as("list(group) of group two, in insertion order").containsExactlyElementsOf(ids(ofTwo));
    List<String> all = ids(store.list()).stream().filter(id -> ids(ofOne).contains(id) || ids(ofTwo).contains(id))
        .collect(Collectors.toList());
    List<String> inserted = new ArrayList<>();
    for (int i = 0; i < ofOne.size(); i++) {
      inserted.add(ofOne.get(i).id());
      inserted.add(ofTwo.get(i).id());
    }
    assertThat(all).as("list() holds every entry of both groups, in insertion order").containsExactlyElementsOf(inserted);
    assertThat(store.list(group("none"))).as("list(group) of a group with no entries").isEmpty();
    assertThat(store.blocking(two, key(3))).as("group two's view of a key only group one has entries of").isEmpty();
    assertThat(store.isBlocked(two, key(3))).as("isBlocked in group two of a key blocked only in group one").isFalse();
  }

  @Test
  void required_blocking_listsAnOrdersEntriesOldestFirstAndIsEmptyWhenItIsNotBlocked() {
    DeadLetterStore store = store();
    String group = group("blocking");
    DeadLetter head = failure(group, key(0));
    store.add(head);
    store.add(failure(group, key(1)));
    DeadLetter second = parkedBehind(head);
    assertThat(store.park(second)).as("park behind a stored failure").isTrue();
    DeadLetter third = parkedBehind(head);
    assertThat(store.park(third)).as("park behind a stored failure").isTrue();
    store.add(failure(group, null)); // keyless: blocks no order

    assertThat(ids(store.blocking(group, key(0)))).as("blocking(group, key) oldest first")
        .containsExactly(head.id(), second.id(), third.id());
    assertThat(store.blocking(group, key(7))).as("blocking of an order with no entries").isEmpty();

    store.remove(second.id());
    assertThat(ids(store.blocking(group, key(0)))).as("blocking after removing a middle entry")
        .containsExactly(head.id(), third.id());
    store.remove(head.id());
    store.remove(third.id());
    assertThat(store.blocking(group, key(0))).as("blocking once every entry of the order is removed").isEmpty();
  }

  @Test
  void required_isBlocked_agreesWithBlockingThroughAddsParksAndRemoves() {
    DeadLetterStore store = store();
    String group = group("agree");
    // A redrive half-way: the failure is gone, a record parked behind it still holds the order.
    DeadLetter failed = failure(group, key(9));
    store.add(failed);
    DeadLetter behind = parkedBehind(failed);
    assertThat(store.park(behind)).as("park behind a stored failure").isTrue();
    store.remove(failed.id());
    assertThat(ids(store.blocking(group, key(9)))).as("blocking once only a parked record is left")
        .containsExactly(behind.id());
    assertThat(store.isBlocked(group, key(9))).as("isBlocked once only a parked record is left").isTrue();
    store.remove(behind.id());
    assertThat(store.isBlocked(group, key(9))).as("isBlocked once the order's last entry is removed").isFalse();

    List<String> keys = List.of(key(0), key(1), key(2));
    List<DeadLetter> stored = new ArrayList<>();
    java.util.Random random = new java.util.Random(20240611L); // the same steps in every run
    for (int step = 0; step < 80; step++) {
      String key = keys.get(random.nextInt(keys.size()));
      List<DeadLetter> ofKey = stored.stream().filter(d -> key.equals(d.key())).collect(Collectors.toList());
      int action = random.nextInt(3);
      if (action == 0) {
        DeadLetter dl = failure(group, key);
        store.add(dl);
        stored.add(dl);
      } else if (action == 1) {
        DeadLetter parked = ofKey.isEmpty() ? parkedBehind(failure(group, key)) : parkedBehind(ofKey.get(0));
        boolean accepted = store.park(parked);
        assertThat(accepted).as("park of %s (order blocked: %s)", key, !ofKey.isEmpty()).isEqualTo(!ofKey.isEmpty());
        if (accepted) {
          stored.add(parked);
        }
      } else if (!ofKey.isEmpty()) {
        DeadLetter gone = ofKey.get(random.nextInt(ofKey.size()));
        store.remove(gone.id());
        stored.remove(gone);
      }
      for (String k : keys) {
        List<String> expected = stored.stream().filter(d -> k.equals(d.key())).map(DeadLetter::id)
            .collect(Collectors.toList());
        assertThat(ids(store.blocking(group, k))).as("blocking(%s) after step %s", k, step).containsExactlyElementsOf(expected);
        assertThat(store.isBlocked(group, k)).as("isBlocked(%s) after step %s: blocking holds %s entries", k, step,
            expected.size()).isEqualTo(!expected.isEmpty());
      }
    }
    assertThat(store.isBlocked(group, null)).as("isBlocked of a null key").isFalse();
  }

  @Test
  void required_park_storesNothingWhenTheOrderIsNotBlockedAndAppendsWhenItIs() {
    DeadLetterStore store = store();
    String group = group("park");
    DeadLetter elsewhere = failure(group("other"), key(0)); // the same order blocked in another group only
    store.add(elsewhere);
    DeadLetter notStored = failure(group, key(0));
    DeadLetter orphan = parkedBehind(notStored);

    assertThat(store.park(orphan)).as("park of a record whose order is not blocked in its group").isFalse();
    assertThat(store.get(orphan.id())).as("what a refused park stored").isEmpty();
    assertThat(store.list(group)).as("entries of the group after a refused park").isEmpty();
    assertThat(store.isBlocked(group, key(0))).as("a refused park must not block the order").isFalse();

    DeadLetter head = failure(group, key(0));
    store.add(head);
    DeadLetter parked = parkedBehind(head);
    assertThat(store.park(parked)).as("park of a record whose order is blocked").isTrue();
    assertSameEntry(store.get(parked.id()).orElse(null), parked, "the parked entry");
    assertThat(ids(store.list(group))).as("the parked entry is appended").containsExactly(head.id(), parked.id());
  }

  @Test
  void required_park_isAtomicWithTheBlockedCheckAgainstAConcurrentRemoveOfTheOrdersLastEntry() throws Exception {
    DeadLetterStore store = store();
    String group = group("race");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    closeAfter.push(pool::shutdownNow);
    int races = parkRaces();
    List<String> violations = new ArrayList<>();
    int parkedCount = 0;
    for (int i = 0; i < races && violations.size() < 5; i++) {
      DeadLetter head = failure(group, key(i));
      store.add(head);
      DeadLetter parked = parkedBehind(head);
      CyclicBarrier start = new CyclicBarrier(2);
      // What a redrive does: remove the order's last entry, then look whether anything is left to release.
      Future<List<DeadLetter>> releaser = pool.submit(() -> {
        start.await();
        store.remove(head.id());
        return store.blocking(group, head.key());
      });
      Future<Boolean> parker = pool.submit(() -> {
        start.await();
        return store.park(parked);
      });
      List<DeadLetter> leftAfterRemove = within(releaser, "remove and blocking");
      boolean accepted = within(parker, "park");
      boolean stored = store.get(parked.id()).isPresent();
      if (accepted) {
        parkedCount++;
      }
      if (accepted != stored) {
        violations.add("race " + i + ": park returned " + accepted + " but the entry is " + (stored ? "" : "not ") + "stored");
      } else if (accepted && !ids(leftAfterRemove).contains(parked.id())) {
        violations.add("race " + i + ": park returned true, yet a blocking() read made after the order's last entry "
            + "was removed did not show it: it was appended after the order was released, and would wait forever");
      }
      store.remove(parked.id());
    }
    assertThat(violations).as("park must check that the order is blocked and append in one atomic step "
        + "(%s races, %s parks accepted)", races, parkedCount).isEmpty();
  }

  @Test
  void required_update_keepsTheEntrysPlaceInItsGroupAndOrder() {
    DeadLetterStore store = store();
    String group = group("update");
    DeadLetter head = failure(group, key(0));
    store.add(head);
    DeadLetter middle = parkedBehind(head);
    store.park(middle);
    DeadLetter last = parkedBehind(head);
    store.park(last);

    // What a failed release does: the parked record becomes a failure, and the one behind it waits behind it.
    DeadLetter middleFailed = new DeadLetter(middle.id(), group, middle.key(), middle.type(), middle.eventId(),
        middle.body(), middle.headers(), "java.lang.IllegalStateException: failed on release", 3, Instant.now(), null);
    store.update(middleFailed);

    assertThat(ids(store.list(group))).as("list(group) after updating the middle entry")
        .containsExactly(head.id(), middle.id(), last.id());
    assertThat(ids(store.blocking(group, key(0)))).as("blocking after updating the middle entry")
        .containsExactly(head.id(), middle.id(), last.id());
    assertThat(ids(store.list()).stream().filter(id -> id.equals(head.id()) || id.equals(middle.id())
        || id.equals(last.id())).collect(Collectors.toList())).as("list() after updating the middle entry")
        .containsExactly(head.id(), middle.id(), last.id());
    assertThat(store.get(middle.id()).orElseThrow().isFailure()).as("the updated entry is now a failure").isTrue();
  }

  @Test
  void required_concurrentAdds_fromSeveralThreadsKeepEveryEntryInEachThreadsOrder() throws Exception {
    DeadLetterStore store = store();
    String group = group("adds");
    int threads = 4;
    int perThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    closeAfter.push(pool::shutdownNow);
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<List<String>>> added = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      added.add(pool.submit(() -> {
        start.await();
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          DeadLetter dl = failure(group, key(thread * 1000 + i % 5)); // a few orders per thread
          store.add(dl);
          mine.add(dl.id());
        }
        return mine;
      }));
    }
    Map<Integer, List<String>> byThread = new LinkedHashMap<>();
    for (int t = 0; t < threads; t++) {
      byThread.put(t, within(added.get(t), "adding thread " + t));
    }
    List<String> stored = ids(store.list(group));
    assertThat(stored).as("entries of the group after %s threads added %s each", threads, perThread)
        .hasSize(threads * perThread).doesNotHaveDuplicates();
    for (Map.Entry<Integer, List<String>> thread : byThread.entrySet()) {
      List<String> mine = thread.getValue();
      List<String> seen = new ArrayList<>(stored);
      seen.retainAll(mine);
      assertThat(seen).as("entries of thread %s in list(group), in the order it added them", thread.getKey())
          .containsExactlyElementsOf(mine);
    }
  }

  @Test
  void required_bound_anAddOrParkPastItFailsWithDeadLettersFullAndStoresNothingAndRemovingMakesRoom() {
    Bounded bounded = createBoundedStoreOrFail();
    DeadLetterStore store = track(bounded.store());
    String group = group("bound");
    List<DeadLetter> stored = new ArrayList<>();
    for (int i = 0; i < bounded.maxEntries(); i++) {
      DeadLetter dl = failure(group, key(i));
      store.add(dl);
      stored.add(dl);
    }
    DeadLetter over = failure(group, key(bounded.maxEntries()));
    assertThatThrownBy(() -> store.add(over)).as("add past the bound of %s entries", bounded.maxEntries())
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).as("kind of the refusal (%s)",
            e.getMessage()).isEqualTo(OmsException.Kind.DEAD_LETTERS_FULL));
    DeadLetter parkOver = parkedBehind(stored.get(0));
    assertThatThrownBy(() -> store.park(parkOver)).as("park past the bound of %s entries", bounded.maxEntries())
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).as("kind of the refusal (%s)",
            e.getMessage()).isEqualTo(OmsException.Kind.DEAD_LETTERS_FULL));
    assertThat(store.get(over.id())).as("what a refused add stored").isEmpty();
    assertThat(store.get(parkOver.id())).as("what a refused park stored").isEmpty();
    assertThat(store.isBlocked(group, over.key())).as("a refused add must not block its order").isFalse();
    assertThat(ids(store.list(group))).as("entries after the refusals: every one accepted before, none dropped")
        .containsExactlyElementsOf(ids(stored));

    assertThat(store.remove(stored.get(0).id())).isTrue();
    store.add(over);
    assertThat(store.get(over.id())).as("an add after removing an entry made room").isPresent();
  }

  private Bounded createBoundedStoreOrFail() {
    try {
      return Objects.requireNonNull(createBoundedStore(namespace), "createBoundedStore returned null");
    } catch (UnsupportedOperationException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  @Test
  void optional_shared_aSecondInstanceSeesAnothersAddsAndRemovesAfterRefresh() {
    DeadLetterStore first = store();
    Optional<DeadLetterStore> other = createSecondInstance(namespace, first);
    assumeTrue(other.isPresent(), "the store's kit subclass offers no second instance on the same backend "
        + "(createSecondInstance): a store for one process; its blocking state is not shared");
    DeadLetterStore second = track(other.get());
    String group = group("shared");
    DeadLetter head = failure(group, key(0));

    first.add(head);
    second.refresh();
    assertSameEntry(second.get(head.id()).orElse(null), head, "the second instance's copy after refresh()");
    assertThat(second.isBlocked(group, key(0))).as("the order blocked by the first instance, seen by the second")
        .isTrue();
    DeadLetter parked = parkedBehind(head);
    assertThat(second.park(parked)).as("the second instance parks behind the first one's entry").isTrue();
    first.refresh();
    assertThat(ids(first.blocking(group, key(0)))).as("the first instance sees the second one's park after refresh()")
        .containsExactly(head.id(), parked.id());

    first.remove(head.id());
    first.remove(parked.id());
    second.refresh();
    assertThat(second.get(head.id())).as("the second instance after the first removed the entry and refresh()").isEmpty();
    assertThat(second.isBlocked(group, key(0))).as("the order released by the first instance, seen by the second")
        .isFalse();
    assertThat(second.list(group)).as("entries the second instance sees after the removes").isEmpty();
  }

  @Test
  void required_roundTrip_undecodableBodiesMissingFieldsAndLargeHeadersSurvive() {
    DeadLetterStore store = store();
    String group = group("bytes");
    byte[] garbage = new byte[4096];
    ThreadLocalRandom.current().nextBytes(garbage);
    garbage[0] = (byte) 0xFF; // never valid UTF-8
    garbage[1] = 0;
    DeadLetter undecodable = new DeadLetter(UUID.randomUUID().toString(), group, null, null, null, garbage,
        Map.of(), "MALFORMED_EVENT: not JSON\nline two ✓", 0, Instant.now(), null);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    headers.put("big", "h".repeat(64 * 1024));
    headers.put("ünïcode", "värde ✓");
    headers.put("empty", "");
    DeadLetter large = new DeadLetter(UUID.randomUUID().toString(), group, key(1), "dev.oms.order.created",
        UUID.randomUUID().toString(), new byte[0], headers, "x", 1, Instant.now(), null);

    store.add(undecodable);
    store.add(large);

    assertSameEntry(store.get(undecodable.id()).orElse(null), undecodable, "arbitrary bytes, no key, type or event id");
    assertSameEntry(store.get(large.id()).orElse(null), large, "an empty body and large headers");
    assertThat(ids(store.list(group))).as("both entries listed").containsExactly(undecodable.id(), large.id());
    assertThat(store.isBlocked(group, key(1))).as("the keyed entry blocks its order").isTrue();
  }
}
