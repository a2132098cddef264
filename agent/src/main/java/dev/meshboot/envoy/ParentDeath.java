package dev.meshboot.envoy;

import dev.meshboot.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Makes Envoy die with meshboot: started through util-linux's {@code setpriv --pdeathsig KILL},
 * which sets Linux's parent-death signal and then executes Envoy (the setting survives the exec),
 * Envoy gets SIGKILL when the meshboot thread that started it ends, also when meshboot itself is
 * killed with SIGKILL, which no handler sees. Without it an orphaned Envoy (in a session of its
 * own, so no terminal hang-up reaches it) keeps its ports and the next start fails. The signal
 * follows the creating thread, not the process: Envoy is started from the thread that supervises it
 * for the whole run (the main thread). A JVM cannot set it itself: it would have to run between
 * fork and exec.
 */
public final class ParentDeath {

  private static final Log log = Log.of(ParentDeath.class);

  private ParentDeath() {}

  /**
   * The command prefix for {@code path} (the PATH to search), or empty with one warning when no
   * {@code setpriv} with {@code --pdeathsig} is found (util-linux 2.33 or later).
   */
  public static List<String> prefix(String path, Children children) {
    Optional<Path> setpriv = find(path, "setpriv");
    if (setpriv.isPresent() && supportsPdeathsig(setpriv.get(), children)) {
      return List.of(setpriv.get().toString(), "--pdeathsig", "KILL", "--");
    }
    log.warn(
        "no setpriv with --pdeathsig (util-linux 2.33 or later): if meshboot is killed, Envoy"
            + " keeps running");
    return List.of();
  }

  /** An executable named {@code name} on {@code path}, else in the usual system directories. */
  static Optional<Path> find(String path, String name) {
    List<String> directories = new java.util.ArrayList<>(List.of(path.split(":")));
    directories.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
    for (String directory : directories) {
      if (directory.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(directory, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static boolean supportsPdeathsig(Path setpriv, Children children) {
    try {
      Process help =
          children.launch(
              new ProcessBuilder(setpriv.toString(), "--help").redirectErrorStream(true));
      byte[] output = help.getInputStream().readNBytes(64 << 10);
      if (!help.waitFor(5, TimeUnit.SECONDS)) {
        help.destroyForcibly();
        return false;
      }
      return new String(output, StandardCharsets.UTF_8).contains("--pdeathsig");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
