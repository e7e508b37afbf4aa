package dev.oms.port;

/**
 * Where customer notifications go (email, SMS, push). The channel resolves the recipient from the
 * order id in its own customer records, so personal data does not travel in every event.
 */
public interface NotificationChannel {
  void send(Notification notification) throws Exception;
}
