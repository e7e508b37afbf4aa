package dev.oms.kafka.local;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One jar of the Kafka server's class path, by Maven coordinates: what the build records in
 * {@value #RESOURCE} instead of a path, and where it lives in a local Maven repository.
 */
record ServerArtifact(String groupId, String artifactId, String version, String classifier, String type) {
  /** The resource, next to this class, listing the server's runtime dependency closure. */
  static final String RESOURCE = "server-artifacts.txt";

  private static final Set<String> SCOPES = Set.of("compile", "runtime", "provided", "system", "test", "import");
  private static final Pattern TIMESTAMPED_SNAPSHOT = Pattern.compile("^(.*)-(\\d{8}\\.\\d{6})-(\\d+)$");

  ServerArtifact {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(artifactId, "artifactId");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(type, "type");
    classifier = classifier == null ? "" : classifier;
  }

  /**
   * Parses the text written by {@code maven-dependency-plugin:list} (one artifact a line,
   * {@code groupId:artifactId:type[:classifier]:version[:scope]}, indented, possibly followed by
   * {@code (optional)} or {@code -- module name}). Blank lines, {@code #} comments, the plugin's
   * header (a line ending with a colon) and its {@code none} are skipped; anything else that is not
   * an artifact is a {@link Kind#CONFIGURATION} error naming the line.
   */
  static List<ServerArtifact> parseList(String text, String source) {
    List<ServerArtifact> artifacts = new ArrayList<>();
    String[] lines = text.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#") || line.endsWith(":") || line.equals("none")) {
        continue;
      }
      try {
        artifacts.add(parse(line.split("\\s+", 2)[0]));
      } catch (IllegalArgumentException e) {
        throw new OmsException(Kind.CONFIGURATION, "line " + (i + 1) + " of " + source + " is not a Maven artifact ("
            + e.getMessage() + "): " + lines[i].strip());
      }
    }
    return artifacts;
  }

  /** One artifact as {@code dependency:list} writes it: {@code groupId:artifactId:type[:classifier]:version[:scope]}. */
  static ServerArtifact parse(String coordinates) {
    List<String> parts = new ArrayList<>(List.of(coordinates.split(":", -1)));
    if (parts.size() >= 5 && SCOPES.contains(parts.get(parts.size() - 1))) {
      parts.remove(parts.size() - 1);
    }
    if (parts.size() < 4 || parts.size() > 5 || parts.stream().anyMatch(p -> p.isBlank() || p.contains("/") || p.contains("\\"))) {
      throw new IllegalArgumentException("expected groupId:artifactId:type[:classifier]:version[:scope]");
    }
    return parts.size() == 4
        ? new ServerArtifact(parts.get(0), parts.get(1), parts.get(3), "", parts.get(2))
        : new ServerArtifact(parts.get(0), parts.get(1), parts.get(4), parts.get(3), parts.get(2));
  }

  /** The version directory: a timestamped snapshot ({@code 1.0-20240101.120000-3}) lives under {@code 1.0-SNAPSHOT}. */
  String baseVersion() {
    Matcher m = TIMESTAMPED_SNAPSHOT.matcher(version);
    return m.matches() ? m.group(1) + "-SNAPSHOT" : version;
  }

  /** The file extension Maven gives this type (its default artifact handlers). */
  String extension() {
    switch (type) {
      case "test-jar":
      case "bundle":
      case "maven-plugin":
      case "ejb":
      case "ejb-client":
      case "java-source":
      case "javadoc":
        return "jar";
      default:
        return type;
    }
  }

  /** Whether the file belongs on a class path (a {@code pom} does not). */
  boolean onClasspath() {
    return !"pom".equals(type);
  }

  /**
   * The candidate paths, relative to a local repository's root, in the order Maven would lay the
   * file out: with the version as recorded and, for a timestamped snapshot, with the base version.
   */
  List<String> repositoryPaths() {
    String dir = groupId.replace('.', '/') + "/" + artifactId + "/" + baseVersion() + "/";
    String suffix = (classifier.isEmpty() ? "" : "-" + classifier) + "." + extension();
    List<String> paths = new ArrayList<>();
    paths.add(dir + artifactId + "-" + version + suffix);
    if (!baseVersion().equals(version)) {
      paths.add(dir + artifactId + "-" + baseVersion() + suffix);
    }
    return paths;
  }

  /**
   * The coordinates as {@code mvn dependency:get -Dartifact=...} takes them:
   * {@code groupId:artifactId:version[:type[:classifier]]}.
   */
  @Override
  public String toString() {
    return groupId + ":" + artifactId + ":" + version + ":" + type + (classifier.isEmpty() ? "" : ":" + classifier);
  }
}
