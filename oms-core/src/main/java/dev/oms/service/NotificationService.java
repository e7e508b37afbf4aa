package dev.oms.service;

import dev.oms.broker.EventHandlers;
import dev.oms.event.OrderCancelled;
import dev.oms.event.OrderCreated;
import dev.oms.event.OrderEvent;
import dev.oms.event.OrderFulfilled;
import dev.oms.event.OrderProcessed;
import dev.oms.event.RefundIssued;
import dev.oms.event.ShipmentProcessed;
import dev.oms.port.Notification;
import dev.oms.port.NotificationChannel;
import dev.oms.port.NotificationKind;

/** Tells the customer about every step they care about. */
public final class NotificationService {
  public static final String GROUP = "notification";

  private final NotificationChannel channel;

  public NotificationService(NotificationChannel channel) {
    this.channel = channel;
  }

  public EventHandlers handlers() {
    return EventHandlers.builder()
        .on(OrderCreated.TYPE, (e, ctx) -> notify(e, NotificationKind.ORDER_RECEIVED))
        .on(OrderProcessed.TYPE, (e, ctx) -> notify(e, NotificationKind.PAYMENT_CONFIRMED))
        .on(ShipmentProcessed.TYPE, (e, ctx) -> notify(e, NotificationKind.SHIPPED))
        .on(OrderFulfilled.TYPE, (e, ctx) -> notify(e, NotificationKind.ORDER_COMPLETED))
        .on(OrderCancelled.TYPE, (e, ctx) -> notify(e, NotificationKind.ORDER_CANCELLED))
        .on(RefundIssued.TYPE, (e, ctx) -> notify(e, NotificationKind.REFUND_ISSUED))
        .build();
  }

  private void notify(OrderEvent event, NotificationKind kind) throws Exception {
    channel.send(new Notification(event.orderId(), kind, event.eventId(), event.metadata().occurredAt()));
  }
}
