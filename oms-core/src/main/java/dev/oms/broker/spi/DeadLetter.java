package dev.oms.broker.spi;

import dev.oms.OmsException;
import java.time.Instant;
import java.util.Map;

/**
 * A record that a consumer group could not handle, or that waits behind one that it could not.
 *
 * @param id unique id of this dead letter
 * @param group the consumer group that gave up on it
 * @param key the order id, or null when the record could not be read far enough to know it
 * @param type the CloudEvents type, or null when unknown
 * @param eventId the event id, or null when unknown
 * @param body the record as CloudEvents structured JSON (raw bytes as received when malformed)
 * @param headers transport headers as received
 * @param reason why it was dead-lettered (exception class and message, or a decoding error)
 * @param attempts how many times the handler ran (0 when the record never reached it)
 * @param deadLetteredAt when it was stored
 * @param parkedBehind for a parked record: the id of the dead letter it waits behind; else null
 */
public record DeadLetter(
    String id,
    String group,
    String key,
    String type,
    String eventId,
    byte[] body,
    Map<String, String> headers,
    String reason,
    int attempts,
    Instant deadLetteredAt,
    String parkedBehind) {

  public DeadLetter {
    if (id == null || id.isBlank() || group == null || group.isBlank() || body == null || reason == null
        || deadLetteredAt == null) {
      throw new OmsException(OmsException.Kind.INVALID_EVENT, "a dead letter needs an id, a group, a body, a reason "
          + "and a time; got id=" + id + ", group=" + group + ", body " + (body == null ? "missing" : "present")
          + ", reason " + (reason == null ? "missing" : "present") + ", at=" + deadLetteredAt);
    }
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  /** True for a record that failed itself; false for one parked behind another. */
  public boolean isFailure() {
    return parkedBehind == null;
  }

  /** Roughly what keeping this entry costs in memory, in bytes: what a store's byte bound counts. */
  public long approximateBytes() {
    long bytes = 256L + body.length + 2L * reason.length();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      bytes += 64L + 2L * (header.getKey().length() + header.getValue().length());
    }
    return bytes;
  }

  @Override
  public String toString() {
    return "DeadLetter[" + id + ", group=" + group + ", key=" + key + ", type=" + type
        + ", attempts=" + attempts + (parkedBehind != null ? ", parkedBehind=" + parkedBehind : "")
        + ", reason=" + reason + "]";
  }
}
