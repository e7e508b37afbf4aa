package dev.oms.event;

import dev.oms.internal.Require;

/**
 * A payment token issued by the payment provider's client-side SDK. OMS never carries a raw card
 * number: a token that looks like one (13 to 19 digits) is refused, so a PAN cannot leak into
 * queues, dead letters or logs.
 */
public record PaymentMethod(String token) {
  public PaymentMethod {
    Require.nonBlank(token, "payment token");
    Require.check(!looksLikeCardNumber(token),
        "payment token looks like a raw card number; tokenize it with the payment provider first");
  }

  static boolean looksLikeCardNumber(String s) {
    int digits = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c != ' ' && c != '-') {
        return false;
      }
    }
    return digits >= 13 && digits <= 19;
  }

  @Override
  public String toString() {
    return "PaymentMethod[redacted]";
  }
}
