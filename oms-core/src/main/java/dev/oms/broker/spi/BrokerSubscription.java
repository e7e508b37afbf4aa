package dev.oms.broker.spi;

/** An adapter's handle on one consumer group's subscription. */
public interface BrokerSubscription extends AutoCloseable {

  /** Stop delivering; records keep arriving and wait in the broker. */
  void pause();

  /** Deliver again, starting with what waited. */
  void resume();

  boolean isPaused();

  /** Records sent to this group and not yet delivered (lag); -1 when the broker cannot tell. */
  long backlog();

  /** Stop delivering and release resources. Records not delivered stay in durable brokers. */
  @Override
  void close();
}
