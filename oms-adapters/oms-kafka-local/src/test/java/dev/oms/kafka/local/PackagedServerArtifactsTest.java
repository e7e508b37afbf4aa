package dev.oms.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The defect this replaces: the build recorded the absolute paths of its machine's Maven
 * repository and checkout, so the launcher broke once that checkout was gone and a published jar
 * carried the build machine's paths. Now the build records coordinates only, and the run resolves
 * them wherever it runs.
 */
class PackagedServerArtifactsTest {

  private static String packagedText() throws Exception {
    try (InputStream in = ServerClasspath.class.getResourceAsStream(ServerArtifact.RESOURCE)) {
      assertThat(in).as(ServerArtifact.RESOURCE + " packaged next to ServerClasspath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void the_packaged_resource_records_coordinates_and_no_path() throws Exception {
    String text = packagedText();
    String userHome = System.getProperty("user.home");
    String checkout = Path.of("").toAbsolutePath().toString();

    for (String line : text.split("\\R")) {
      assertThat(line.strip()).as("a line of " + ServerArtifact.RESOURCE)
          .doesNotStartWith("/")
          .doesNotContain("/", "\\")
          .doesNotContain(userHome)
          .doesNotContain(checkout)
          .doesNotContainPattern("^[A-Za-z]:");
    }
    List<ServerArtifact> artifacts = ServerClasspath.packagedArtifacts();
    assertThat(artifacts).extracting(a -> a.groupId() + ":" + a.artifactId())
        .contains("org.apache.kafka:kafka_2.13", "org.apache.kafka:kafka-clients", "org.scala-lang:scala-library",
            "org.apache.logging.log4j:log4j-slf4j2-impl")
        .noneMatch(ga -> ga.startsWith("dev.oms:"));
    assertThat(ServerClasspath.class.getResource("server.classpath"))
        .as("server.classpath, the old resource of absolute paths, would be packaged: a stale target/classes, run mvn clean")
        .isNull();
  }

  @Test
  void a_class_path_without_the_server_resolves_from_the_local_repository_to_a_runnable_server() throws Exception {
    // The module's own classes only, as a user of the published jar has it: no kafka_2.13.
    String own = Path.of(ServerClasspath.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    assertThat(ServerClasspath.holdsServer(own)).isFalse();

    String classpath = ServerClasspath.resolve(
        name -> ServerClasspath.PROPERTY.equals(name) ? null : System.getProperty(name), System::getenv, own,
        ServerClasspath::packagedArtifacts);

    List<String> entries = Arrays.asList(classpath.split(File.pathSeparator));
    assertThat(entries).isNotEmpty().allSatisfy(e -> assertThat(Path.of(e)).isRegularFile())
        .noneMatch(e -> e.startsWith(Path.of("").toAbsolutePath().toString()));
    assertThat(ServerClasspath.holdsServer(classpath)).isTrue();

    // And a JVM on it runs Kafka's own tool (a second or two; no broker is started).
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, "kafka.tools.StorageTool", "random-uuid"));
    Process tool = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(tool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(tool.exitValue()).as(output).isZero();
    assertThat(output).matches("[A-Za-z0-9_-]{22}");
  }
}
