package dev.oms.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution with a fake local repository: no Kafka is started here. */
class ServerClasspathTest {
  @TempDir Path tmp;

  private final Map<String, String> properties = new HashMap<>();
  private final Map<String, String> env = new HashMap<>();
  private final List<ServerArtifact> artifacts = List.of(
      new ServerArtifact("org.apache.kafka", "kafka_2.13", "4.1.1", "", "jar"),
      new ServerArtifact("org.scala-lang", "scala-library", "2.13.16", "", "jar"),
      new ServerArtifact("com.example", "parent", "3", "", "pom"),
      new ServerArtifact("com.example", "native", "1.2", "linux-x86_64", "jar"));

  private String resolve(String ownClassPath) {
    properties.putIfAbsent("user.home", tmp.resolve("home").toString());
    return ServerClasspath.resolve(properties::get, env::get, ownClassPath, () -> artifacts);
  }

  private Path repoFile(String relative) throws IOException {
    Path file = tmp.resolve("repo").resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[] {'P', 'K'});
    return file;
  }

  private static Path jarWith(Path jar, String entry) throws IOException {
    Files.createDirectories(jar.getParent());
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
      zip.putNextEntry(new ZipEntry(entry));
      zip.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
      zip.closeEntry();
    }
    return jar;
  }

  @Test
  void the_override_property_wins() throws IOException {
    properties.put("oms.kafka.classpath", "/opt/kafka/libs/*");
    String own = jarWith(tmp.resolve("fat.jar"), "kafka/Kafka.class").toString();

    assertThat(resolve(own)).isEqualTo("/opt/kafka/libs/*");
  }

  @Test
  void an_own_class_path_holding_the_server_is_used_as_it_is() throws IOException {
    String fatJar = jarWith(tmp.resolve("fat.jar"), "kafka/Kafka.class").toString();
    Path classes = tmp.resolve("classes");
    Files.createDirectories(classes.resolve("kafka"));
    Files.write(classes.resolve("kafka/Kafka.class"), new byte[] {1});
    String other = jarWith(tmp.resolve("other.jar"), "org/Other.class").toString();

    assertThat(resolve(other + File.pathSeparator + fatJar)).isEqualTo(other + File.pathSeparator + fatJar);
    assertThat(resolve(classes.toString())).isEqualTo(classes.toString());
    assertThat(ServerClasspath.holdsServer(other + File.pathSeparator + tmp.resolve("gone.jar"))).isFalse();
  }

  @Test
  void without_the_server_on_the_own_class_path_the_coordinates_are_found_in_maven_repo_local() throws IOException {
    Path kafka = repoFile("org/apache/kafka/kafka_2.13/4.1.1/kafka_2.13-4.1.1.jar");
    Path scala = repoFile("org/scala-lang/scala-library/2.13.16/scala-library-2.13.16.jar");
    Path nativeJar = repoFile("com/example/native/1.2/native-1.2-linux-x86_64.jar");
    repoFile("com/example/parent/3/parent-3.pom");
    properties.put("maven.repo.local", tmp.resolve("repo").toString());
    String own = jarWith(tmp.resolve("oms-kafka-local.jar"), "dev/oms/kafka/local/LocalKafka.class").toString();

    assertThat(resolve(own)).isEqualTo(String.join(File.pathSeparator, kafka.toString(), scala.toString(),
        nativeJar.toString()));
    assertThat(resolve("")).isEqualTo(resolve(own));
  }

  @Test
  void missing_artifacts_are_a_configuration_error_naming_each_and_how_to_fetch_it() throws IOException {
    repoFile("org/apache/kafka/kafka_2.13/4.1.1/kafka_2.13-4.1.1.jar");
    properties.put("maven.repo.local", tmp.resolve("repo").toString());

    assertThatThrownBy(() -> resolve(""))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
        .hasMessageContaining("2 jar(s) of the Kafka server are not in the local Maven repository " + tmp.resolve("repo"))
        .hasMessageContaining("org.scala-lang:scala-library:2.13.16:jar, com.example:native:1.2:jar:linux-x86_64")
        .hasMessageContaining("mvn dependency:get -Dmaven.repo.local=" + tmp.resolve("repo")
            + " -Dtransitive=false -Dartifact=org.scala-lang:scala-library:2.13.16:jar")
        .hasMessageContaining("-Doms.kafka.classpath=")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("com.example:parent", "fetches the server"));
  }

  @Test
  void a_missing_server_jar_adds_the_command_that_fetches_it_with_its_dependencies() {
    properties.put("maven.repo.local", tmp.resolve("repo").toString());

    assertThatThrownBy(() -> resolve(""))
        .hasMessageContaining("3 jar(s)")
        .hasMessageContaining("'mvn dependency:get -Dmaven.repo.local=" + tmp.resolve("repo")
            + " -Dartifact=org.apache.kafka:kafka_2.13:4.1.1' fetches the server with most of its dependencies");
  }

  @Test
  void the_default_repository_under_the_user_home_is_used_without_maven_repo_local() throws IOException {
    Path jar = tmp.resolve("home/.m2/repository/org/apache/kafka/kafka_2.13/4.1.1/kafka_2.13-4.1.1.jar");
    Files.createDirectories(jar.getParent());
    try (OutputStream out = Files.newOutputStream(jar)) {
      out.write('P');
    }

    assertThatThrownBy(() -> resolve(""))
        .hasMessageContaining("the default ~/.m2/repository")
        .hasMessageContaining("'mvn dependency:get -Dtransitive=false -Dartifact=org.scala-lang:scala-library:2.13.16:jar'");
  }
}
