package dev.oms;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules, read from the compiled classes (so a fully qualified name counts as much as an
 * import): the adapter SPI depends on no implementation package, so adapters built against it are
 * not tied to the runtime's internals.
 */
class ArchitectureTest {
  private static final Path CLASSES = Path.of("target", "classes", "dev", "oms");

  @Test
  void theSpiReachesIntoNeitherInternalNorTheRuntime() throws IOException {
    assertThat(referencesFrom("broker/spi", "dev/oms/internal/", "dev/oms/runtime/")).isEmpty();
  }

  @Test
  void theCallerApiAndEventsDoNotReachIntoTheRuntimeExceptThroughTheBus() throws IOException {
    List<String> offenders = referencesFrom("event", "dev/oms/runtime/");
    offenders.addAll(referencesFrom("codec", "dev/oms/runtime/"));
    offenders.addAll(referencesFrom("service", "dev/oms/runtime/"));
    assertThat(offenders).isEmpty();
  }

  /** "class -> package" for every class file of {@code pkg} whose constant pool names one of {@code forbidden}. */
  private static List<String> referencesFrom(String pkg, String... forbidden) throws IOException {
    Path dir = CLASSES.resolve(pkg);
    assertThat(dir).as("compiled classes of %s (run from the module directory)", pkg).isDirectory();
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String pool = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        for (String name : forbidden) {
          if (pool.contains(name)) {
            offenders.add(file.getFileName() + " -> " + name);
          }
        }
      }
    }
    return offenders;
  }
}
