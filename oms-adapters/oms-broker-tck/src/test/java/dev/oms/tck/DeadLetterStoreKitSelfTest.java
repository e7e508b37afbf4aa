package dev.oms.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.oms.OmsException;
import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.spi.DeadLetterStore;
import dev.oms.memory.InMemoryDeadLetterStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The dead-letter store kit catches what it claims to: each broken store below (the in-memory
 * store with one deliberate defect) is run through the whole kit, and the rule its defect breaks
 * must fail (with, where a defect shows through more than one rule, only the rules listed beside
 * it); every other rule must pass.
 */
class DeadLetterStoreKitSelfTest {

  private static String method(Event event) {
    return event.getTestDescriptor().getLegacyReportingName().replace("()", "");
  }

  /** Runs the whole kit on {@code kit}: {@code rule} must fail, nothing outside {@code rule} and {@code alsoMay} may. */
  private static void assertKitFails(Class<? extends DeadLetterStoreCompatibilityKit> kit, String rule,
      String... alsoMay) {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(kit)).execute().testEvents();
    Map<String, String> failures = new TreeMap<>();
    events.failed().stream().forEach(e -> failures.put(method(e), e.getPayload(TestExecutionResult.class)
        .flatMap(TestExecutionResult::getThrowable).map(String::valueOf).orElse("?")));
    assertThat(events.started().count()).as("rules run against %s", kit.getSimpleName()).isGreaterThanOrEqualTo(10);
    assertThat(failures).as("rules the kit failed %s on", kit.getSimpleName()).containsKey(rule);
    Set<String> allowed = new java.util.HashSet<>(List.of(alsoMay));
    allowed.add(rule);
    assertThat(failures.keySet()).as("rules the kit failed %s on (only %s may fail); failures: %s",
        kit.getSimpleName(), allowed, failures).isSubsetOf(allowed);
  }

  @Test
  void aStoreThatResurrectsARemovedEntryOnUpdateFailsTheCrudRule() {
    assertKitFails(ResurrectsOnUpdate.class, "required_crud_anAddedEntryIsReadBackUpdatedAndRemoved");
  }

  @Test
  void aStoreWhoseFullListSkipsKeylessEntriesFailsTheListRule() {
    assertKitFails(ListSkipsKeyless.class, "required_list_entriesComeInInsertionOrderAndGroupsAreIsolated");
  }

  @Test
  void aStoreThatListsAnOrdersEntriesNewestFirstFailsTheBlockingRule() {
    assertKitFails(BlockingNewestFirst.class,
        "required_blocking_listsAnOrdersEntriesOldestFirstAndIsEmptyWhenItIsNotBlocked",
        "required_isBlocked_agreesWithBlockingThroughAddsParksAndRemoves",
        "required_update_keepsTheEntrysPlaceInItsGroupAndOrder");
  }

  @Test
  void aStoreWhoseIsBlockedForgetsParkedRecordsFailsTheIsBlockedRule() {
    assertKitFails(IsBlockedIgnoresParked.class, "required_isBlocked_agreesWithBlockingThroughAddsParksAndRemoves");
  }

  @Test
  void aStoreThatParksWhenTheOrderIsNotBlockedFailsTheParkRule() {
    assertKitFails(ParksAlways.class, "required_park_storesNothingWhenTheOrderIsNotBlockedAndAppendsWhenItIs",
        "required_isBlocked_agreesWithBlockingThroughAddsParksAndRemoves",
        "required_park_isAtomicWithTheBlockedCheckAgainstAConcurrentRemoveOfTheOrdersLastEntry");
  }

  @Test
  void aStoreThatChecksAndParksInTwoStepsFailsTheAtomicParkRule() {
    assertKitFails(NonAtomicPark.class,
        "required_park_isAtomicWithTheBlockedCheckAgainstAConcurrentRemoveOfTheOrdersLastEntry");
  }

  @Test
  void aStoreThatMovesAnUpdatedEntryToTheEndFailsTheUpdateRule() {
    assertKitFails(UpdateMovesToTheEnd.class, "required_update_keepsTheEntrysPlaceInItsGroupAndOrder");
  }

  @Test
  void aStoreThatLosesConcurrentAddsFailsTheConcurrentAddsRule() {
    assertKitFails(LosesConcurrentAdds.class,
        "required_concurrentAdds_fromSeveralThreadsKeepEveryEntryInEachThreadsOrder");
  }

  @Test
  void aStoreThatStoresPastItsBoundFailsTheBoundRule() {
    assertKitFails(StoresPastItsBound.class,
        "required_bound_anAddOrParkPastItFailsWithDeadLettersFullAndStoresNothingAndRemovingMakesRoom");
  }

  @Test
  void aStoreWhoseBodiesGoThroughAStringFailsTheRoundTripRule() {
    assertKitFails(BodyAsText.class, "required_roundTrip_undecodableBodiesMissingFieldsAndLargeHeadersSurvive");
  }

  @Test
  void aSecondInstanceThatSeesNothingFailsTheSharingRule() {
    assertKitFails(NotShared.class, "optional_shared_aSecondInstanceSeesAnothersAddsAndRemovesAfterRefresh");
  }

  @Test
  void theSharingRulePassesForAStoreSharedByBothInstances() {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(SharedInstance.class)).execute()
        .testEvents();
    assertThat(events.failed().count()).as("failed rules for a store both instances share").isZero();
    assertThat(events.skipped().count()).as("skipped rules for a store both instances share").isZero();
    assertThat(events.succeeded().stream().map(DeadLetterStoreKitSelfTest::method))
        .contains("optional_shared_aSecondInstanceSeesAnothersAddsAndRemovesAfterRefresh");
  }

  // ---------------------------------------------------------------- broken stores

  /** Every call passed to an in-memory store; subclasses break one thing. */
  abstract static class Forwarding implements DeadLetterStore {
    final DeadLetterStore delegate;

    Forwarding(DeadLetterStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public void add(DeadLetter deadLetter) {
      delegate.add(deadLetter);
    }

    @Override
    public boolean park(DeadLetter parked) {
      return delegate.park(parked);
    }

    @Override
    public Optional<DeadLetter> get(String id) {
      return delegate.get(id);
    }

    @Override
    public void update(DeadLetter deadLetter) {
      delegate.update(deadLetter);
    }

    @Override
    public boolean remove(String id) {
      return delegate.remove(id);
    }

    @Override
    public List<DeadLetter> list() {
      return delegate.list();
    }

    @Override
    public List<DeadLetter> list(String group) {
      return delegate.list(group);
    }

    @Override
    public List<DeadLetter> blocking(String group, String key) {
      return delegate.blocking(group, key);
    }

    @Override
    public boolean isBlocked(String group, String key) {
      return delegate.isBlocked(group, key);
    }
  }

  /** A kit whose stores are healthy in-memory ones behind a defect; the bounded one takes 8 entries. */
  abstract static class BrokenKit extends DeadLetterStoreCompatibilityKit {
    /** The defect, around a healthy store. */
    abstract DeadLetterStore broken(DeadLetterStore healthy);

    @Override
    protected DeadLetterStore createStore(String namespace) {
      return broken(new InMemoryDeadLetterStore());
    }

    @Override
    protected Bounded createBoundedStore(String namespace) {
      return new Bounded(broken(new InMemoryDeadLetterStore(8, InMemoryDeadLetterStore.DEFAULT_MAX_BYTES)), 8);
    }

    @Override
    protected int parkRaces() {
      return 200;
    }
  }

  static class ResurrectsOnUpdate extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      return new Forwarding(healthy) {
        @Override
        public void update(DeadLetter deadLetter) {
          if (delegate.get(deadLetter.id()).isPresent()) {
            delegate.update(deadLetter);
          } else {
            delegate.add(deadLetter); // the defect: updating an entry that is gone brings it back
          }
        }
      };
    }
  }

  static class ListSkipsKeyless extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      return new Forwarding(healthy) {
        @Override
        public List<DeadLetter> list() {
          return delegate.list().stream().filter(d -> d.key() != null).collect(Collectors.toList()); // the defect
        }
      };
    }
  }

  static class BlockingNewestFirst extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      return new Forwarding(healthy) {
        @Override
        public List<DeadLetter> blocking(String group, String key) {
          List<DeadLetter> entries = new ArrayList<>(delegate.blocking(group, key));
          java.util.Collections.reverse(entries); // the defect
          return entries;
        }
      };
    }
  }

  static class IsBlockedIgnoresParked extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      return new Forwarding(healthy) {
        @Override
        public boolean isBlocked(String group, String key) {
          return delegate.blocking(group, key).stream().anyMatch(DeadLetter::isFailure); // the defect
        }
      };
    }
  }

  static class ParksAlways extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      return new Forwarding(healthy) {
        @Override
        public boolean park(DeadLetter parked) {
          delegate.add(parked); // the defect: no check that the order is blocked
          return true;
        }
      };
    }
  }

  static class NonAtomicPark extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      return new Forwarding(healthy) {
        @Override
        public boolean park(DeadLetter parked) {
          if (!delegate.isBlocked(parked.group(), parked.key())) {
            return false;
          }
          LockSupport.parkNanos(200_000); // the defect: the order may be released between the check and the add
          delegate.add(parked);
          return true;
        }
      };
    }
  }

  static class UpdateMovesToTheEnd extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      return new Forwarding(healthy) {
        @Override
        public void update(DeadLetter deadLetter) {
          if (delegate.remove(deadLetter.id())) {
            delegate.add(deadLetter); // the defect: the updated entry goes to the end of its order
          }
        }
      };
    }
  }

  static class LosesConcurrentAdds extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
      return new Forwarding(healthy) {
        @Override
        public void add(DeadLetter deadLetter) {
          try {
            if (inside.incrementAndGet() > 1) {
              return; // the defect: an add that overlaps another is lost, as in a store without a lock
            }
            LockSupport.parkNanos(50_000);
            delegate.add(deadLetter);
          } finally {
            inside.decrementAndGet();
          }
        }
      };
    }
  }

  static class StoresPastItsBound extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      return healthy;
    }

    @Override
    protected Bounded createBoundedStore(String namespace) {
      return new Bounded(new Forwarding(new InMemoryDeadLetterStore()) {
        @Override
        public void add(DeadLetter deadLetter) {
          delegate.add(deadLetter);
          if (delegate.list().size() > 8) { // the defect: refuses, but after storing
            throw new OmsException(OmsException.Kind.DEAD_LETTERS_FULL, "full (but stored it anyway)");
          }
        }

        @Override
        public boolean park(DeadLetter parked) {
          boolean stored = delegate.park(parked);
          if (stored && delegate.list().size() > 8) {
            throw new OmsException(OmsException.Kind.DEAD_LETTERS_FULL, "full (but stored it anyway)");
          }
          return stored;
        }
      }, 8);
    }
  }

  static class BodyAsText extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      return new Forwarding(healthy) {
        @Override
        public void add(DeadLetter d) {
          byte[] text = new String(d.body(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8); // the defect
          delegate.add(new DeadLetter(d.id(), d.group(), d.key(), d.type(), d.eventId(), text, d.headers(),
              d.reason(), d.attempts(), d.deadLetteredAt(), d.parkedBehind()));
        }
      };
    }
  }

  static class NotShared extends BrokenKit {
    @Override
    DeadLetterStore broken(DeadLetterStore healthy) {
      return healthy;
    }

    @Override
    protected Optional<DeadLetterStore> createSecondInstance(String namespace, DeadLetterStore first) {
      return Optional.of(new InMemoryDeadLetterStore()); // the defect: a "second instance" on a backend of its own
    }
  }

  /** Healthy: both "instances" are one store, so the sharing rule runs and passes. */
  static class SharedInstance extends NotShared {
    @Override
    protected Optional<DeadLetterStore> createSecondInstance(String namespace, DeadLetterStore first) {
      return Optional.of(first);
    }
  }
}
