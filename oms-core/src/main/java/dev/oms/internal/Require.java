package dev.oms.internal;

import dev.oms.OmsException;

/** Argument checks that fail with {@link OmsException.Kind#INVALID_EVENT} and a clear message. */
public final class Require {
  private Require() {}

  public static <T> T nonNull(T value, String what) {
    if (value == null) {
      throw new OmsException(OmsException.Kind.INVALID_EVENT, what + " is required but was missing");
    }
    return value;
  }

  public static String nonBlank(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new OmsException(OmsException.Kind.INVALID_EVENT, what + " is required but was missing or blank");
    }
    return value;
  }

  public static void check(boolean condition, String message) {
    if (!condition) {
      throw new OmsException(OmsException.Kind.INVALID_EVENT, message);
    }
  }

  /** The INVALID_EVENT error for a check done by the caller: the message is built only on failure. */
  public static OmsException invalid(String message) {
    return new OmsException(OmsException.Kind.INVALID_EVENT, message);
  }

  public static <T> T config(T value, String what) {
    if (value == null) {
      throw new OmsException(OmsException.Kind.CONFIGURATION, what + " must be set");
    }
    return value;
  }

  public static void configCheck(boolean condition, String message) {
    if (!condition) {
      throw new OmsException(OmsException.Kind.CONFIGURATION, message);
    }
  }
}
