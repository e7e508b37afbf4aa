package dev.oms.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Stages.await, which checkout's wait for the broker's acceptance goes through. */
class StagesTest {
  @Test
  void awaitRethrowsABrokerRefusalWithItsKind() {
    OmsException refusal = new OmsException(OmsException.Kind.BACKPRESSURE, "full");

    assertThatThrownBy(() -> Stages.await(Stages.failed(refusal), Duration.ofSeconds(1))).isSameAs(refusal);
  }

  @Test
  void awaitFailsWithTimeoutWhenTheBrokerDoesNotAnswerInTime() {
    assertThatThrownBy(() -> Stages.await(new CompletableFuture<Void>(), Duration.ofMillis(20)))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT));
  }
}
