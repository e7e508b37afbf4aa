package dev.oms.memory;

import dev.oms.broker.spi.DeadLetter;
import dev.oms.broker.spi.DeadLetterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The default dead-letter store: insertion-ordered, in memory. Dead letters are rare, so a plain
 * lock is the right tool here; it never sits on the delivery hot path.
 */
public final class InMemoryDeadLetterStore implements DeadLetterStore {
  private final Map<String, DeadLetter> entries = new LinkedHashMap<>();

  @Override
  public synchronized void add(DeadLetter deadLetter) {
    entries.put(deadLetter.id(), deadLetter);
  }

  @Override
  public synchronized Optional<DeadLetter> get(String id) {
    return Optional.ofNullable(entries.get(id));
  }

  @Override
  public synchronized void update(DeadLetter deadLetter) {
    entries.replace(deadLetter.id(), deadLetter);
  }

  @Override
  public synchronized List<DeadLetter> list() {
    return new ArrayList<>(entries.values());
  }

  @Override
  public synchronized boolean remove(String id) {
    return entries.remove(id) != null;
  }
}
