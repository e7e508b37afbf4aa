package dev.oms.event;

import dev.oms.internal.Hashing;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fast identifiers. Random UUIDs from {@link ThreadLocalRandom} rather than
 * {@link UUID#randomUUID()}: ids need uniqueness, not unpredictability, and SecureRandom would be
 * the most expensive step of publishing an event.
 */
public final class EventIds {
  private EventIds() {}

  /** A version-4-shaped UUID string. */
  public static String newEventId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /**
   * An id derived from a cause: the same inputs always give the same UUID-shaped id, so a handler
   * that runs again (a retry, a redelivery) republishes its follow-on events under the same ids
   * and every consumer's deduplication recognises them.
   */
  public static String derivedEventId(String causeEventId, String group, int ordinal) {
    long a = Hashing.fnv(Hashing.fnv(0x9E3779B97F4A7C15L, causeEventId), group);
    long b = Hashing.multiplyShift(Hashing.multiplyShift(0xC2B2AE3D27D4EB4FL, causeEventId), group);
    a = Hashing.mix64(a ^ ordinal);
    b = Hashing.mix64(b + 31L * ordinal + group.length());
    long msb = (a & 0xffffffffffff0fffL) | 0x0000000000008000L; // version 8: custom, name-derived
    long lsb = (b & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /** A new W3C {@code traceparent} for a flow that arrived without one (sampled flag set). */
  public static String newTraceparent() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "00-" + hex16(r.nextLong() | 1L) + hex16(r.nextLong()) + "-" + hex16(r.nextLong() | 1L) + "-01";
  }

  /** True when {@code value} is a well-formed W3C traceparent of version 00. */
  public static boolean isTraceparent(String value) {
    if (value == null || value.length() != 55) {
      return false;
    }
    for (int i = 0; i < 55; i++) {
      char ch = value.charAt(i);
      boolean dash = i == 2 || i == 35 || i == 52;
      if (dash ? ch != '-' : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
        return false;
      }
    }
    return value.startsWith("00-")
        && !value.startsWith("00000000000000000000000000000000", 3)
        && !value.startsWith("0000000000000000", 36);
  }

  private static String hex16(long v) {
    String s = Long.toHexString(v);
    return s.length() == 16 ? s : "0".repeat(16 - s.length()) + s;
  }
}
