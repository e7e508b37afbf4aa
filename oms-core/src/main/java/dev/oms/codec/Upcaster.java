package dev.oms.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Lifts the {@code data} object of one event type by one schema version. Upcasters are chained by
 * {@link EventRegistry}: an event written at version 1 of a type whose current version is 3 goes
 * through the upcasters from 1 and from 2 before it is bound to the record.
 */
public interface Upcaster {

  /** The CloudEvents {@code type} this upcaster applies to. */
  String type();

  /** The schema version this upcaster reads; it produces {@code fromVersion() + 1}. */
  int fromVersion();

  /**
   * Turns {@code data} of version {@link #fromVersion()} into version {@code fromVersion() + 1}.
   * The node is a private copy owned by the codec: an upcaster may change it in place and return
   * it. A problem with the old data should be reported as an {@code OmsException} of kind
   * {@code INVALID_EVENT}.
   */
  ObjectNode upcast(ObjectNode data);
}
