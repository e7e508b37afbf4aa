package dev.oms.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaBrokerConfigTest {

  @Test
  void defaultsAreTheSafeOnes() {
    KafkaBrokerConfig config = KafkaBrokerConfig.ofDefaults();
    assertThat(config.topic()).isEqualTo("oms.orders");
    assertThat(config.mode()).isEqualTo(CloudEventsMode.BINARY);
    assertThat(config.groupIdPrefix()).isEqualTo("oms.");
    assertThat(config.createTopic()).isTrue();
  }

  @Test
  void providerOptionsMapToTheConfigAndPassNativePropertiesThrough() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("bootstrap.servers", "k1:9092,k2:9092");
    options.put("topic", "shop.events");
    options.put("partitions", "24");
    options.put("replication.factor", "3");
    options.put("mode", "structured");
    options.put("client.security.protocol", "SSL");
    options.put("producer.linger.ms", "5");
    options.put("consumer.max.poll.records", "100");

    KafkaBrokerConfig config = KafkaBrokerProvider.config(options);

    assertThat(config.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
    assertThat(config.topic()).isEqualTo("shop.events");
    assertThat(config.partitions()).isEqualTo(24);
    assertThat(config.replicationFactor()).isEqualTo((short) 3);
    assertThat(config.mode()).isEqualTo(CloudEventsMode.STRUCTURED);
    assertThat(config.clientProperties()).containsEntry("security.protocol", "SSL");
    assertThat(config.producerProperties()).containsEntry("linger.ms", "5");
    assertThat(config.consumerProperties()).containsEntry("max.poll.records", "100");
  }

  @Test
  void badOptionsAreConfigurationErrorsThatSayWhatIsWrong() {
    assertThatThrownBy(() -> KafkaBrokerProvider.config(Map.of()))
        .isInstanceOfSatisfying(OmsException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION);
          assertThat(e.getMessage()).contains("bootstrap.servers");
        });
    assertThatThrownBy(() -> KafkaBrokerProvider.config(Map.of("bootstrap.servers", "k:9092", "partitons", "3")))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.getMessage()).contains("unknown kafka option 'partitons'"));
    assertThatThrownBy(() -> KafkaBrokerProvider.config(Map.of("bootstrap.servers", "k:9092", "partitions", "many")))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.getMessage()).contains("must be an integer"));
    assertThatThrownBy(() -> KafkaBrokerProvider.config(Map.of("bootstrap.servers", "k:9092", "mode", "xml")))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.getMessage()).contains("binary or structured"));
    assertThatThrownBy(() -> KafkaBrokerConfig.builder().topic("bad topic!"))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION));
  }

  @Test
  void toStringNeverShowsClientPropertyValuesWhichMayBeSecrets() {
    KafkaBrokerConfig config = KafkaBrokerConfig.builder()
        .clientProperty("sasl.jaas.config", "org.apache.kafka...PlainLoginModule required password=\"hunter2\";")
        .build();
    assertThat(config.toString()).contains("sasl.jaas.config").doesNotContain("hunter2");
  }
}
