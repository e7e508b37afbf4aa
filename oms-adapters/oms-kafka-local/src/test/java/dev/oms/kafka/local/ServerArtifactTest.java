package dev.oms.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerArtifactTest {

  @Test
  void parses_what_dependency_list_writes_skipping_its_header_and_suffixes() {
    String list = String.join("\n",
        "",
        "The following files have been resolved:",
        "   org.apache.kafka:kafka-clients:jar:4.1.1:compile -- module kafka.clients (auto)",
        "   org.apache.kafka:kafka_2.13:jar:4.1.1:compile (optional)",
        "   org.scala-lang:scala-library:jar:2.13.16:compile (optional) -- module scala.library [auto]",
        "   com.example:native:jar:linux-x86_64:1.2:runtime",
        "   # a comment",
        "   com.example:parent:pom:3:compile",
        "");

    assertThat(ServerArtifact.parseList(list, "test")).containsExactly(
        new ServerArtifact("org.apache.kafka", "kafka-clients", "4.1.1", "", "jar"),
        new ServerArtifact("org.apache.kafka", "kafka_2.13", "4.1.1", "", "jar"),
        new ServerArtifact("org.scala-lang", "scala-library", "2.13.16", "", "jar"),
        new ServerArtifact("com.example", "native", "1.2", "linux-x86_64", "jar"),
        new ServerArtifact("com.example", "parent", "3", "", "pom"));
  }

  @Test
  void parses_lines_without_a_scope_and_an_empty_list() {
    assertThat(ServerArtifact.parseList("g:a:jar:1.0\ng:b:jar:tests:2.0\n", "test")).containsExactly(
        new ServerArtifact("g", "a", "1.0", "", "jar"),
        new ServerArtifact("g", "b", "2.0", "tests", "jar"));
    assertThat(ServerArtifact.parseList("The following files have been resolved:\n   none\n", "test")).isEmpty();
  }

  @Test
  void a_line_that_is_not_an_artifact_is_a_configuration_error_naming_it() {
    assertThatThrownBy(() -> ServerArtifact.parseList("g:a:jar:1.0:compile\n/home/me/.m2/repository/g/a/1.0/a-1.0.jar\n",
        "server-artifacts.txt"))
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
        .hasMessageContaining("line 2 of server-artifacts.txt")
        .hasMessageContaining("/home/me/.m2/repository/g/a/1.0/a-1.0.jar");
    assertThatThrownBy(() -> ServerArtifact.parseList("g:a:1.0\n", "x"))
        .isInstanceOf(OmsException.class).hasMessageContaining("line 1 of x");
  }

  @Test
  void lays_out_files_as_a_maven_repository_does() {
    assertThat(new ServerArtifact("org.apache.kafka", "kafka_2.13", "4.1.1", "", "jar").repositoryPaths())
        .containsExactly("org/apache/kafka/kafka_2.13/4.1.1/kafka_2.13-4.1.1.jar");
    assertThat(new ServerArtifact("com.example", "native", "1.2", "linux-x86_64", "jar").repositoryPaths())
        .containsExactly("com/example/native/1.2/native-1.2-linux-x86_64.jar");
    assertThat(new ServerArtifact("g.h", "a", "1.0", "tests", "test-jar").repositoryPaths())
        .containsExactly("g/h/a/1.0/a-1.0-tests.jar");
    assertThat(new ServerArtifact("g", "a", "1.0-20240102.030405-7", "", "jar").repositoryPaths())
        .containsExactly("g/a/1.0-SNAPSHOT/a-1.0-20240102.030405-7.jar", "g/a/1.0-SNAPSHOT/a-1.0-SNAPSHOT.jar");
    assertThat(new ServerArtifact("g", "a", "3", "", "pom").onClasspath()).isFalse();
  }

  @Test
  void prints_coordinates_as_dependency_get_takes_them() {
    assertThat(new ServerArtifact("g", "a", "1.0", "", "jar")).hasToString("g:a:1.0:jar");
    assertThat(new ServerArtifact("g", "a", "1.0", "linux", "jar")).hasToString("g:a:1.0:jar:linux");
    assertThat(List.of(ServerArtifact.parse("g:a:jar:linux:1.0:runtime"))).containsExactly(
        new ServerArtifact("g", "a", "1.0", "linux", "jar"));
  }
}
