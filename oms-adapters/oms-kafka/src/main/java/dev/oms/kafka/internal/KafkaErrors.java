package dev.oms.kafka.internal;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Kafka client failures as the bus's typed errors, with what to do about them. */
public final class KafkaErrors {
  private KafkaErrors() {}

  public static OmsException ofSend(Throwable error, String what) {
    if (error instanceof OmsException oms) {
      return oms;
    }
    if (error instanceof RecordTooLargeException) {
      return new OmsException(Kind.OVERSIZED_EVENT, what + " is larger than Kafka accepts (max.request.size or the "
          + "topic's max.message.bytes): " + error.getMessage(), error);
    }
    if (error instanceof AuthenticationException || error instanceof AuthorizationException) {
      return new OmsException(Kind.CONFIGURATION, "Kafka refused " + what + ": " + error.getMessage()
          + " (check the security.protocol, sasl.* and ssl.* client properties and the topic ACLs)", error);
    }
    if (error instanceof UnknownTopicOrPartitionException) {
      return new OmsException(Kind.CONFIGURATION, "Kafka has no such topic for " + what + ": " + error.getMessage()
          + " (create it, or let the adapter create it)", error);
    }
    if (error instanceof TimeoutException) {
      return new OmsException(Kind.BROKER_UNAVAILABLE, "Kafka did not accept " + what + " in time: "
          + error.getMessage() + " (is the cluster up and reachable at bootstrap.servers?)", error);
    }
    return new OmsException(Kind.BROKER_UNAVAILABLE, "Kafka did not accept " + what + ": " + error, error);
  }
}
