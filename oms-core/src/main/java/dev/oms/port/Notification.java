package dev.oms.port;

import java.time.Instant;

/** One message to a customer about their order. */
public record Notification(String orderId, NotificationKind kind, String eventId, Instant occurredAt) {}
