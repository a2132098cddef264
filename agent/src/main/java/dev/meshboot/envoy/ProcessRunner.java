package dev.meshboot.envoy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived command with a timeout; an interface so that tests can fake processes. */
public interface ProcessRunner {

  /**
   * The outcome of a command.
   *
   * @param exitCode the exit code; for a process killed by a signal, 128 + the signal
   * @param timedOut whether the command was killed after the timeout
   */
  record Result(int exitCode, boolean timedOut, String stdout, String stderr) {
    /** The last lines of stderr (or stdout when stderr is empty), for error messages. */
    public String tail(int lines) {
      String text = stderr.isBlank() ? stdout : stderr;
      List<String> all = text.strip().lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
  }

  Result run(List<String> command, Duration timeout) throws IOException;

  /** Runs real processes; output goes through temporary files, so no reader threads are needed. */
  static ProcessRunner system() {
    return (command, timeout) -> {
      Path out = Files.createTempFile("meshboot-cmd", ".out");
      Path err = Files.createTempFile("meshboot-cmd", ".err");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        boolean done;
        try {
          done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          process.destroyForcibly();
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while running " + command.get(0), e);
        }
        if (!done) {
          process.destroyForcibly();
          try {
            process.waitFor(1, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return new Result(
            done ? process.exitValue() : -1,
            !done,
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    };
  }
}
