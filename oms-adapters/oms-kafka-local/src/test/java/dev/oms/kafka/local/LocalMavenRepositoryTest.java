package dev.oms.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMavenRepositoryTest {
  @TempDir Path tmp;

  private final Map<String, String> properties = new HashMap<>();
  private final Map<String, String> env = new HashMap<>();

  private LocalMavenRepository locate() {
    properties.putIfAbsent("user.home", tmp.resolve("home").toString());
    return LocalMavenRepository.locate(properties::get, env::get);
  }

  private static void settings(Path file, String localRepository) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<settings xmlns=\"http://maven.apache.org/SETTINGS/1.0.0\">\n"
        + "  <!-- <localRepository>/commented/out</localRepository> -->\n"
        + "  <offline>false</offline>\n"
        + (localRepository == null ? "" : "  <localRepository>\n    " + localRepository + "\n  </localRepository>\n")
        + "</settings>\n");
  }

  @Test
  void the_system_property_comes_first() throws IOException {
    settings(tmp.resolve("home/.m2/settings.xml"), "/from/settings");
    properties.put("maven.repo.local", tmp.resolve("repo").toString());

    assertThat(locate().root()).isEqualTo(tmp.resolve("repo"));
    assertThat(locate().foundBy()).isEqualTo("-Dmaven.repo.local");
  }

  @Test
  void then_local_repository_in_the_user_settings_with_maven_expressions() throws IOException {
    settings(tmp.resolve("home/.m2/settings.xml"), "${user.home}/custom-repo");
    settings(tmp.resolve("maven/conf/settings.xml"), "/from/global");
    env.put("MAVEN_HOME", tmp.resolve("maven").toString());

    assertThat(locate().root()).isEqualTo(tmp.resolve("home/custom-repo"));
    assertThat(locate().foundBy()).contains(tmp.resolve("home/.m2/settings.xml").toString());
  }

  @Test
  void then_the_installation_settings_of_maven_home() throws IOException {
    settings(tmp.resolve("home/.m2/settings.xml"), null);
    settings(tmp.resolve("maven/conf/settings.xml"), "${env.REPOS}/global");
    env.put("MAVEN_HOME", tmp.resolve("maven").toString());
    env.put("REPOS", tmp.resolve("r").toString());

    assertThat(locate().root()).isEqualTo(tmp.resolve("r/global"));
  }

  @Test
  void then_the_installation_of_the_mvn_on_the_path() throws IOException {
    settings(tmp.resolve("maven/conf/settings.xml"), tmp.resolve("from-path").toString());
    Files.createDirectories(tmp.resolve("maven/bin"));
    Files.writeString(tmp.resolve("maven/bin/mvn"), "#!/bin/sh\n");
    env.put("PATH", tmp.resolve("nowhere") + java.io.File.pathSeparator + tmp.resolve("maven/bin"));

    assertThat(locate().root()).isEqualTo(tmp.resolve("from-path"));
  }

  @Test
  void else_the_default_under_the_user_home() throws IOException {
    assertThat(locate().root()).isEqualTo(tmp.resolve("home/.m2/repository"));
    settings(tmp.resolve("home/.m2/settings.xml"), null); // settings without <localRepository>
    assertThat(locate().root()).isEqualTo(tmp.resolve("home/.m2/repository"));
  }

  @Test
  void unreadable_settings_are_a_configuration_error_naming_the_file() throws IOException {
    Path file = tmp.resolve("home/.m2/settings.xml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "<settings><localRepository>");

    assertThatThrownBy(this::locate)
        .isInstanceOfSatisfying(OmsException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
        .hasMessageContaining(file.toString());
  }

  @Test
  void finds_an_artifact_file_or_nothing() throws IOException {
    Path jar = tmp.resolve("repo/org/example/lib/1.0/lib-1.0.jar");
    Files.createDirectories(jar.getParent());
    Files.write(jar, new byte[] {1});
    LocalMavenRepository repo = new LocalMavenRepository(tmp.resolve("repo"), "test");

    assertThat(repo.find(new ServerArtifact("org.example", "lib", "1.0", "", "jar"))).contains(jar);
    assertThat(repo.find(new ServerArtifact("org.example", "lib", "1.1", "", "jar"))).isEmpty();
    assertThat(repo.find(new ServerArtifact("org.example", "lib", "1.0", "sources", "jar"))).isEmpty();
  }
}
