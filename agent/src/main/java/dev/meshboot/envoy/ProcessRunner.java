package dev.meshboot.envoy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

  /**
   * Runs real processes, registered in {@code children}. Output is drained by two named virtual
   * threads (not temporary files: {@code Files.createTempFile} initializes SecureRandom, which
   * costs start-up time).
   */
  static ProcessRunner system(Children children) {
    return (command, timeout) -> {
      Process process =
          children.launch(
              new ProcessBuilder(command)
                  .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
      Drain out = Drain.start(process.getInputStream(), "meshboot-process-stdout");
      Drain err = Drain.start(process.getErrorStream(), "meshboot-process-stderr");
      boolean done;
      try {
        done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
          process.destroyForcibly();
          process.waitFor(1, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while running " + command.get(0), e);
      }
      return new Result(done ? process.exitValue() : -1, !done, out.text(), err.text());
    };
  }

  /** Reads a process's stream to the end on a virtual thread. */
  final class Drain {
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    private final Thread thread;

    private Drain(java.io.InputStream in, String name) {
      this.thread =
          Thread.ofVirtual()
              .name(name)
              .unstarted(
                  () -> {
                    try (in) {
                      in.transferTo(bytes);
                    } catch (IOException e) {
                      // the process went away; what was read is kept
                    }
                  });
    }

    static Drain start(java.io.InputStream in, String name) {
      Drain drain = new Drain(in, name);
      drain.thread.start();
      return drain;
    }

    /** The output; waits briefly for the stream to close after the process ended. */
    String text() throws IOException {
      try {
        if (!thread.join(java.time.Duration.ofSeconds(2))) {
          thread.interrupt();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading process output", e);
      }
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
