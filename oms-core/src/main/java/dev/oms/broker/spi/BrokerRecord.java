package dev.oms.broker.spi;

import dev.oms.event.OrderEvent;
import dev.oms.OmsException;
import java.util.Map;

/**
 * One record as a broker moves it: a CloudEvents {@code type} to route on, a key (the order id) to
 * partition and order on, headers, and the payload in one of two forms.
 *
 * <ul>
 *   <li>An in-process broker ({@link BrokerCapabilities#carriesObjects()}) moves the
 *       {@link OrderEvent} itself by reference: nothing is encoded.
 *   <li>A remote broker moves bytes. It encodes an object-backed record with the codec from
 *       {@link BrokerContext#encode(BrokerRecord)}, and hands received bytes back with
 *       {@link #ofBytes}; the delivery runtime decodes them, and dead-letters what does not decode.
 * </ul>
 */
public final class BrokerRecord {
  private static final Map<String, String> NO_HEADERS = Map.of();

  private final String type;
  private final String key;
  private final Map<String, String> headers;
  private final OrderEvent event;
  private final byte[] body;
  private final boolean binary;

  private BrokerRecord(String type, String key, Map<String, String> headers, OrderEvent event, byte[] body,
      boolean binary) {
    this.type = type;
    this.key = key;
    this.headers = headers;
    this.event = event;
    this.body = body;
    this.binary = binary;
  }

  /** A record that carries the event object; type and key come from the event. */
  public static BrokerRecord ofEvent(OrderEvent event) {
    requireNonNull(event, "event");
    return new BrokerRecord(event.type().name(), event.orderId(), NO_HEADERS, event, null, false);
  }

  /**
   * A record received as bytes (a CloudEvents structured-mode JSON body).
   *
   * @param type the CloudEvents type if the transport carried it outside the body, else null
   * @param key the record key (order id) if the transport has one, else null
   */
  public static BrokerRecord ofBytes(String type, String key, Map<String, String> headers, byte[] body) {
    requireNonNull(body, "body");
    return new BrokerRecord(type, key, headers == null ? NO_HEADERS : Map.copyOf(headers), null, body, false);
  }

  /**
   * A record received in CloudEvents binary mode: {@code attributes} are the context attributes by
   * their CloudEvents names (the transport's {@code ce_} prefix removed; {@code datacontenttype}
   * from its content type) and {@code data} is the JSON data alone. They are the record's headers.
   *
   * @param key the record key (order id) if the transport has one, else null
   */
  public static BrokerRecord ofBinary(String key, Map<String, String> attributes, byte[] data) {
    requireNonNull(attributes, "attributes");
    requireNonNull(data, "data");
    Map<String, String> copy = Map.copyOf(attributes);
    return new BrokerRecord(copy.get("type"), key, copy, null, data, true);
  }

  /** True for a binary-mode record: {@link #headers()} are its CloudEvents attributes, {@link #body()} its data. */
  public boolean isBinary() {
    return binary;
  }

  /** The CloudEvents type, or null for a bytes record whose transport did not carry it. */
  public String type() {
    return type;
  }

  /**
   * The event id, where it is known without decoding: the event's own for an object record, the
   * {@code id} attribute for a binary-mode record; null for a structured-mode body not decoded yet.
   */
  public String eventId() {
    return event != null ? event.eventId() : binary ? headers.get("id") : null;
  }

  /** The order id this record is keyed by, or null when unknown. */
  public String key() {
    return key;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public boolean hasEvent() {
    return event != null;
  }

  /** The event object, or null for a bytes record. */
  public OrderEvent event() {
    return event;
  }

  /** The encoded body (for a binary-mode record, the data alone), or null for an object record. */
  public byte[] body() {
    return body;
  }

  private static void requireNonNull(Object value, String what) {
    if (value == null) {
      throw new OmsException(OmsException.Kind.INVALID_EVENT, "a broker record's " + what + " is required but was missing");
    }
  }

  @Override
  public String toString() {
    return "BrokerRecord[type=" + type + ", key=" + key
        + (event != null ? ", event " + event.eventId() : ", " + body.length + " bytes") + "]";
  }
}
