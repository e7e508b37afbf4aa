package dev.oms.kafka;

/** How events ride on Kafka records, per the CloudEvents Kafka protocol binding. */
public enum CloudEventsMode {
  /** Attributes as {@code ce_*} headers, the JSON data alone as the value: smaller, routable by header. */
  BINARY,
  /** The whole CloudEvents JSON object as the value, {@code content-type: application/cloudevents+json}. */
  STRUCTURED
}
