package dev.oms.kafka.local;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The class path a Kafka server JVM runs on. In order of preference: the system property
 * {@value #PROPERTY}; the list of jars recorded when this module was built (they live in the local
 * Maven repository); this JVM's own class path when it already holds the server.
 */
final class ServerClasspath {
  static final String PROPERTY = "oms.kafka.classpath";
  private static final String RECORDED = "server.classpath";
  private static final String SERVER_MAIN = "kafka/Kafka.class";

  private ServerClasspath() {}

  static String resolve() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    String recorded = recorded();
    if (recorded != null) {
      List<String> missing = Arrays.stream(recorded.split(java.io.File.pathSeparator))
          .filter(entry -> !entry.isBlank() && !Files.exists(Path.of(entry)))
          .collect(Collectors.toList());
      if (missing.isEmpty()) {
        return recorded;
      }
      if (!hasServerOnOwnClasspath()) {
        throw new OmsException(Kind.CONFIGURATION, "the Kafka server jars recorded at build time are gone (first missing: "
            + missing.get(0) + "); rebuild with 'mvn install' or set -D" + PROPERTY + "=<class path>");
      }
    }
    if (hasServerOnOwnClasspath()) {
      return System.getProperty("java.class.path");
    }
    throw new OmsException(Kind.CONFIGURATION, "no Kafka server on the class path: add org.apache.kafka:kafka_2.13 or set -D"
        + PROPERTY + "=<class path>");
  }

  private static String recorded() {
    try (InputStream in = ServerClasspath.class.getResourceAsStream(RECORDED)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean hasServerOnOwnClasspath() {
    return ServerClasspath.class.getClassLoader().getResource(SERVER_MAIN) != null;
  }
}
