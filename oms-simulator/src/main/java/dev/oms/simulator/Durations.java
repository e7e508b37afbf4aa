package dev.oms.simulator;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints lengths of time such as {@code 60s}, {@code 2m}, {@code 1h30m}, {@code 250ms}, {@code 200us}. */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|h|d)");

  private Durations() {}

  /** Seconds in {@code text}: a number (seconds) or parts like {@code 1h30m}, {@code 2.5s}, {@code 200us}. */
  static double parseSeconds(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.isEmpty()) {
      throw new IllegalArgumentException("a duration is empty");
    }
    try {
      return check(Double.parseDouble(t), text);
    } catch (NumberFormatException e) {
      // parts below
    }
    Matcher m = PART.matcher(t);
    double seconds = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      double v = Double.parseDouble(m.group(1));
      seconds += v * switch (m.group(2)) {
        case "ns" -> 1e-9;
        case "us", "µs" -> 1e-6;
        case "ms" -> 1e-3;
        case "s" -> 1;
        case "m" -> 60;
        case "h" -> 3600;
        default -> 86400;
      };
      end = m.end();
    }
    if (end != t.length() || end == 0) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 60s, 2m, 1h30m, 250ms, 200us)");
    }
    return check(seconds, text);
  }

  private static double check(double seconds, String text) {
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("'" + text + "' is not a valid duration");
    }
    return seconds;
  }

  static long parseNanos(String text) {
    return Math.round(parseSeconds(text) * 1e9);
  }

  /** Seconds for people: {@code 24h}, {@code 1m30s}, {@code 2.5s}, {@code 120ms}. */
  static String format(double seconds) {
    if (seconds >= 60) {
      long s = Math.round(seconds);
      StringBuilder b = new StringBuilder();
      if (s >= 3600) {
        b.append(s / 3600).append('h');
        s %= 3600;
      }
      if (s >= 60) {
        b.append(s / 60).append('m');
        s %= 60;
      }
      if (s > 0) {
        b.append(s).append('s');
      }
      return b.toString();
    }
    if (seconds >= 1) {
      return String.format(Locale.US, "%.3gs", seconds).replace(".00s", "s");
    }
    return formatNanos(Math.round(seconds * 1e9));
  }

  static String formatNanos(long nanos) {
    if (nanos >= 1_000_000_000) {
      return String.format(Locale.US, "%.3gs", nanos / 1e9);
    } else if (nanos >= 1_000_000) {
      return String.format(Locale.US, "%.3gms", nanos / 1e6);
    } else if (nanos >= 1_000) {
      return String.format(Locale.US, "%.3gus", nanos / 1e3);
    }
    return nanos + "ns";
  }
}
