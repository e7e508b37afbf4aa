package dev.oms.kafka;

import dev.oms.Oms;
import dev.oms.OmsService;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;

/**
 * A second (or third) process of a deployment: runs the fulfillment, warehouse and notification
 * services on a shared Kafka, in the same consumer groups as its peers. Prints {@code READY} once
 * subscribed and runs until killed. Args: bootstrap servers, namespace.
 */
public final class ScaleOutWorker {
  static final EnumSet<OmsService> SERVICES =
      EnumSet.of(OmsService.FULFILLMENT, OmsService.WAREHOUSE, OmsService.NOTIFICATION);

  private ScaleOutWorker() {}

  public static void main(String[] args) throws InterruptedException {
    KafkaBrokerConfig config = KafkaScaleOutTest.config(args[0], args[1]);
    Oms oms = Oms.builder().broker(KafkaBroker.create(config)).services(SERVICES).defaultConcurrency(4).build();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> oms.close(Duration.ofSeconds(10))));
    System.out.println("READY");
    System.out.flush();
    new CountDownLatch(1).await(); // until the process is killed
  }
}
