package dev.meshboot.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Java runtime the tests start meshboot with: the release's jlinked JRE ({@code
 * dist/target/meshboot/jre}, system property {@code meshboot.java.home} set by the build), so that
 * every integration test that runs meshboot as a process also proves the JRE holds every module
 * meshboot needs. A missing JRE fails the test, never falls back to the JDK.
 */
final class ReleaseJava {

  private ReleaseJava() {}

  /** The JRE's home directory. */
  static Path home() {
    String home = System.getProperty("meshboot.java.home");
    if (home == null || !Files.isExecutable(Path.of(home, "bin", "java"))) {
      throw new IllegalStateException(
          "meshboot.java.home must name the release's JRE (dist/target/meshboot/jre, built by the"
              + " dist module's package phase); got "
              + home);
    }
    return Path.of(home);
  }

  /** Its {@code java} launcher. */
  static String java() {
    return home().resolve("bin").resolve("java").toString();
  }
}
