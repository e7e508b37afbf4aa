package dev.oms.event;

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
    long a = 0x9E3779B97F4A7C15L;
    long b = 0xC2B2AE3D27D4EB4FL;
    for (int i = 0, n = causeEventId.length(); i < n; i++) {
      char c = causeEventId.charAt(i);
      a = (a ^ c) * 0x100000001B3L;
      b = (b + c) * 0xFF51AFD7ED558CCDL;
      b ^= b >>> 29;
    }
    for (int i = 0, n = group.length(); i < n; i++) {
      char c = group.charAt(i);
      a = (a ^ c) * 0x100000001B3L;
      b = (b + c) * 0xFF51AFD7ED558CCDL;
      b ^= b >>> 29;
    }
    a = mix(a ^ ordinal);
    b = mix(b + 31L * ordinal + group.length());
    long msb = (a & 0xffffffffffff0fffL) | 0x0000000000008000L; // version 8: custom, name-derived
    long lsb = (b & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
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
