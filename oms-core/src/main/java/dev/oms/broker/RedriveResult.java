package dev.oms.broker;

/**
 * What a redrive or discard did.
 *
 * @param deadLetterId the dead letter acted on
 * @param handled true if the dead letter's own event was handled this time (false for a discard
 *     or a failed redrive)
 * @param released records that had waited behind it and were handled, in order
 * @param stillDeadLetterId the dead letter now blocking the order (the same one after a failed
 *     redrive, or a released record that failed in turn); null when the order flows again
 * @param reason why the order is still blocked, or null
 */
public record RedriveResult(
    String deadLetterId, boolean handled, int released, String stillDeadLetterId, String reason) {

  public boolean orderUnblocked() {
    return stillDeadLetterId == null;
  }
}
