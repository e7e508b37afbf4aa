package dev.oms.kafka.local;

import dev.oms.OmsException;
import dev.oms.OmsException.Kind;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The local Maven repository, found the way Maven finds it: the system property
 * {@value #PROPERTY}; else {@code <localRepository>} in the user's {@code ~/.m2/settings.xml};
 * else in the installation's {@code conf/settings.xml} ({@code $MAVEN_HOME}, or the {@code mvn}
 * on the {@code PATH}); else {@code ~/.m2/repository}.
 */
final class LocalMavenRepository {
  static final String PROPERTY = "maven.repo.local";
  private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}]+)}");

  private final Path root;
  private final String foundBy;

  LocalMavenRepository(Path root, String foundBy) {
    this.root = root;
    this.foundBy = foundBy;
  }

  /** Finds the repository from this JVM's system properties and environment. */
  static LocalMavenRepository locate() {
    return locate(System::getProperty, System::getenv);
  }

  /**
   * Finds the repository from the given system properties and environment variables (a lookup
   * returning {@code null} for an unset name).
   */
  static LocalMavenRepository locate(UnaryOperator<String> properties, UnaryOperator<String> env) {
    String configured = properties.apply(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return new LocalMavenRepository(absolute(configured), "-D" + PROPERTY);
    }
    Path home = Path.of(properties.apply("user.home"));
    List<Path> settingsFiles = new ArrayList<>();
    settingsFiles.add(home.resolve(".m2").resolve("settings.xml"));
    mavenHome(env).ifPresent(m -> settingsFiles.add(m.resolve("conf").resolve("settings.xml")));
    for (Path settings : settingsFiles) {
      Optional<String> local = localRepositoryIn(settings);
      if (local.isPresent()) {
        return new LocalMavenRepository(absolute(interpolate(local.get(), properties, env)),
            "<localRepository> in " + settings);
      }
    }
    return new LocalMavenRepository(home.resolve(".m2").resolve("repository"), "the default ~/.m2/repository");
  }

  Path root() {
    return root;
  }

  /** How the repository was found, for error messages. */
  String foundBy() {
    return foundBy;
  }

  /** The artifact's file in this repository, if it is there. */
  Optional<Path> find(ServerArtifact artifact) {
    return artifact.repositoryPaths().stream().map(root::resolve).filter(Files::isRegularFile).findFirst();
  }

  /** {@code $MAVEN_HOME}, else the installation the {@code mvn} on the {@code PATH} belongs to. */
  private static Optional<Path> mavenHome(UnaryOperator<String> env) {
    String mavenHome = env.apply("MAVEN_HOME");
    if (mavenHome != null && !mavenHome.isBlank()) {
      return Optional.of(Path.of(mavenHome));
    }
    String pathVariable = env.apply("PATH");
    if (pathVariable == null) {
      return Optional.empty();
    }
    for (String dir : pathVariable.split(File.pathSeparator)) {
      try {
        Path mvn = Path.of(dir.isEmpty() ? "." : dir, "mvn");
        if (Files.isRegularFile(mvn)) {
          Path bin = mvn.toRealPath().getParent(); // /usr/bin/mvn -> /usr/share/maven/bin/mvn
          return Optional.ofNullable(bin == null ? null : bin.getParent());
        }
      } catch (IOException | InvalidPathException e) {
        // not a usable PATH entry: try the next
      }
    }
    return Optional.empty();
  }

  /** The {@code <localRepository>} of a settings file; empty when the file or the element is absent. */
  static Optional<String> localRepositoryIn(Path settings) {
    if (!Files.isRegularFile(settings)) {
      return Optional.empty();
    }
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      factory.setNamespaceAware(true);
      Document document = factory.newDocumentBuilder().parse(settings.toFile());
      for (Node n = document.getDocumentElement().getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element && "localRepository".equals(localName(n))) {
          String value = n.getTextContent().strip();
          return value.isEmpty() ? Optional.empty() : Optional.of(value);
        }
      }
      return Optional.empty();
    } catch (IOException | SAXException | ParserConfigurationException e) {
      throw new OmsException(Kind.CONFIGURATION, "could not read the Maven settings " + settings
          + " to find the local repository: " + e.getMessage() + "; fix it or pass -D" + PROPERTY + "=<dir>", e);
    }
  }

  private static String localName(Node n) {
    return n.getLocalName() != null ? n.getLocalName() : n.getNodeName();
  }

  /** Maven's {@code ${user.home}}, {@code ${env.NAME}} and other system-property expressions. */
  static String interpolate(String value, UnaryOperator<String> properties, UnaryOperator<String> env) {
    Matcher m = EXPRESSION.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String replacement = name.startsWith("env.") ? env.apply(name.substring(4)) : properties.apply(name);
      m.appendReplacement(out, Matcher.quoteReplacement(replacement != null ? replacement : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Path absolute(String path) {
    return Path.of(path).toAbsolutePath().normalize();
  }
}
