package dev.oms.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oms.broker.spi.EventBroker;
import java.time.Duration;

/**
 * The kit against {@link LogBroker}, a test double of a remote, durable, replaying broker: runs the
 * optional tier, the rules only remote brokers get (two instances sharing a group, the size limit
 * of a byte-carrying bus) and the durable variant of graceful close, in every build of the kit.
 */
class LogBrokerCompatibilityTest extends BrokerCompatibilityKit {
  private String namespace;

  @Override
  protected EventBroker createBroker(String namespace) {
    this.namespace = namespace;
    return new LogBroker(namespace);
  }

  @Override
  protected void restartBackend() {
    int before = LogBroker.restarts(namespace);
    LogBroker.restart(namespace);
    assertThat(LogBroker.restarts(namespace)).isEqualTo(before + 1);
  }

  @Override
  protected void crash(EventBroker broker) {
    ((LogBroker) broker).crash();
  }

  @Override
  protected Duration deliveryTimeout() {
    return Duration.ofSeconds(10);
  }
}
