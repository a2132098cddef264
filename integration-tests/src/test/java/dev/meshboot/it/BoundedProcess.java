package dev.meshboot.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child process's exit code and output (stdout with stderr merged) within a time limit. The
 * output is read on a thread of its own, so a child that hangs with its output open cannot hold the
 * test beyond the limit; then the child and everything it started are killed.
 */
final class BoundedProcess {

  /** What the process said and its exit code, -1 when it was killed at the limit. */
  record Result(int exitCode, String output) {}

  private BoundedProcess() {}

  /** Waits for {@code process} (started with its error stream redirected into its output). */
  static Result await(Process process, Duration limit) throws InterruptedException {
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(
            () -> read(process.getInputStream()), Thread::startVirtualThread);
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      return new Result(-1, "timed out after " + limit.toSeconds() + " s: " + output.getNow(""));
    }
    try {
      return new Result(process.exitValue(), output.get(limit.toMillis(), TimeUnit.MILLISECONDS));
    } catch (ExecutionException | TimeoutException e) {
      // a grandchild holding the output open after the child exited
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      return new Result(process.exitValue(), "(output not closed: " + e + ")");
    }
  }

  private static String read(InputStream output) {
    try (output) {
      return new String(output.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
