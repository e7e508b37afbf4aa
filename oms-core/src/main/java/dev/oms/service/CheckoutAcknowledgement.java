package dev.oms.service;

import dev.oms.event.Money;
import java.time.Instant;

/** What the customer gets back at once: the order id and total, accepted for processing. */
public record CheckoutAcknowledgement(String orderId, Money total, Instant acceptedAt, String correlationId) {}
