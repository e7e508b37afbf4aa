package dev.oms.internal;

/** The string hashes behind event-id fingerprints and derived event ids, in one place. */
public final class Hashing {
  private Hashing() {}

  /** FNV-1a style accumulation of {@code s} onto {@code h}. */
  public static long fnv(long h, String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
    }
    return h;
  }

  /** A second, differently built accumulation, independent enough of {@link #fnv} to pair with it. */
  public static long multiplyShift(long h, String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      h = (h + s.charAt(i)) * 0xFF51AFD7ED558CCDL;
      h ^= h >>> 29;
    }
    return h;
  }

  /** MurmurHash3's 64-bit finaliser: spreads every input bit over every output bit. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }
}
