package dev.oms.kafka.local;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

/**
 * The class path a Kafka server JVM runs on. In order of preference:
 *
 * <ol>
 *   <li>the system property {@value #PROPERTY}, as given;
 *   <li>this JVM's own class path ({@code java.class.path}) when one of its entries holds
 *       {@code kafka/Kafka.class} (a test class path with {@code kafka_2.13}, a fat jar);
 *   <li>the server's runtime dependency closure, recorded at build time as Maven coordinates in
 *       {@value ServerArtifact#RESOURCE} (never as paths), found in the local Maven repository
 *       ({@link LocalMavenRepository}). Artifacts missing there are a {@link Kind#CONFIGURATION}
 *       error that names each and how to fetch it; nothing is downloaded behind the caller's back.
 * </ol>
 */
final class ServerClasspath {
  static final String PROPERTY = "oms.kafka.classpath";
  static final String SERVER_MAIN = "kafka/Kafka.class";

  private ServerClasspath() {}

  /** The class path for this JVM: its system properties, environment, class path and packaged coordinates. */
  static String resolve() {
    return resolve(System::getProperty, System::getenv, System.getProperty("java.class.path", ""),
        ServerClasspath::packagedArtifacts);
  }

  /**
   * The class path from the given system properties and environment (lookups returning
   * {@code null} for an unset name), the class path this JVM runs on, and the recorded artifacts
   * (read only when needed).
   */
  static String resolve(UnaryOperator<String> properties, UnaryOperator<String> env, String ownClassPath,
      Supplier<List<ServerArtifact>> artifacts) {
    String configured = properties.apply(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    if (holdsServer(ownClassPath)) {
      return ownClassPath;
    }
    return fromRepository(artifacts.get(), LocalMavenRepository.locate(properties, env));
  }

  /** The recorded artifacts' files in {@code repository}, in the recorded order; all must be there. */
  static String fromRepository(List<ServerArtifact> artifacts, LocalMavenRepository repository) {
    List<String> entries = new ArrayList<>();
    List<ServerArtifact> missing = new ArrayList<>();
    for (ServerArtifact artifact : artifacts) {
      if (!artifact.onClasspath()) {
        continue;
      }
      Optional<Path> file = repository.find(artifact);
      if (file.isPresent()) {
        entries.add(file.get().toString());
      } else {
        missing.add(artifact);
      }
    }
    if (!missing.isEmpty()) {
      throw missing(missing, repository);
    }
    if (entries.isEmpty()) {
      throw new OmsException(Kind.CONFIGURATION, ServerArtifact.RESOURCE + " lists no Kafka server jar; "
          + "rebuild oms-kafka-local or set -D" + PROPERTY + "=<class path>");
    }
    return String.join(File.pathSeparator, entries);
  }

  private static OmsException missing(List<ServerArtifact> missing, LocalMavenRepository repository) {
    String repoOption = repository.foundBy().startsWith("-D")
        ? " -D" + LocalMavenRepository.PROPERTY + "=" + repository.root() : "";
    return new OmsException(Kind.CONFIGURATION, missing.size() + " jar(s) of the Kafka server are not in the local "
        + "Maven repository " + repository.root() + " (" + repository.foundBy() + "): "
        + missing.stream().map(ServerArtifact::toString).collect(Collectors.joining(", "))
        + ". Fetch each with 'mvn dependency:get" + repoOption + " -Dtransitive=false -Dartifact=<coordinates>' (e.g. "
        + "'mvn dependency:get" + repoOption + " -Dtransitive=false -Dartifact=" + missing.get(0) + "')"
        + missing.stream().filter(a -> a.artifactId().startsWith("kafka_")).findFirst()
            .map(server -> "; 'mvn dependency:get" + repoOption + " -Dartifact=" + server.groupId() + ":"
                + server.artifactId() + ":" + server.version() + "' fetches the server with most of its dependencies")
            .orElse("")
        + "; or build oms-kafka-local (it resolves them all), or put org.apache.kafka:kafka_2.13 and its dependencies "
        + "on this JVM's class path, or set -D" + PROPERTY + "=<class path>");
  }

  /** Whether an entry of {@code classPath} (a directory or a jar) holds {@value #SERVER_MAIN}. */
  static boolean holdsServer(String classPath) {
    if (classPath == null || classPath.isBlank()) {
      return false;
    }
    for (String entry : classPath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path path = Path.of(entry);
      if (Files.isDirectory(path)) {
        if (Files.isRegularFile(path.resolve(SERVER_MAIN))) {
          return true;
        }
      } else if (Files.isRegularFile(path)) {
        try (ZipFile zip = new ZipFile(path.toFile())) {
          if (zip.getEntry(SERVER_MAIN) != null) {
            return true;
          }
        } catch (IOException e) {
          // not a jar: it cannot hold the server
        }
      }
    }
    return false;
  }

  /** The coordinates packaged with this class ({@value ServerArtifact#RESOURCE}, written by the build). */
  static List<ServerArtifact> packagedArtifacts() {
    try (InputStream in = ServerClasspath.class.getResourceAsStream(ServerArtifact.RESOURCE)) {
      if (in == null) {
        throw new OmsException(Kind.CONFIGURATION, "no Kafka server on the class path and no "
            + ServerArtifact.RESOURCE + " next to " + ServerClasspath.class.getName() + " (was oms-kafka-local built "
            + "by Maven?): add org.apache.kafka:kafka_2.13 to the class path or set -D" + PROPERTY + "=<class path>");
      }
      return ServerArtifact.parseList(new String(in.readAllBytes(), StandardCharsets.UTF_8), ServerArtifact.RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
