package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * podman as this machine runs it (build facts: runc, since the hybrid cgroups make crun refuse; the
 * cgroupfs manager, with no systemd; the rlimits the machine allows) with a storage of the tests'
 * own under {@code target/}, in overlay, so that nothing depends on the host's podman
 * configuration. podman and runc are Debian packages bin/test installs; without them the test
 * fails, it does not skip.
 */
final class Podman {

  /** What every {@code podman run} here needs: rlimits no higher than the machine permits. */
  static final List<String> LIMITS =
      List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000");

  record Result(int exitCode, String output) {}

  private Podman() {}

  /** {@code podman args}, its output (stdout and stderr) and exit code, within {@code timeout}. */
  static Result run(Duration timeout, String... args) {
    List<String> command = new ArrayList<>(global());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BoundedProcess.Result result = BoundedProcess.await(process, timeout);
      if (result.exitCode() == -1) {
        return fail("%s did not end within %s: %s", String.join(" ", command), timeout, result);
      }
      return new Result(result.exitCode(), result.output());
    } catch (IOException e) {
      return fail(
          "cannot run podman (%s): apt-get install podman runc (bin/test does)", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }

  /** {@code podman args}'s output; fails with it unless podman exits 0. */
  static String ok(String... args) {
    Result result = run(Duration.ofMinutes(2), args);
    assertThat(result.exitCode())
        .as("podman %s: %s", String.join(" ", args), result.output())
        .isZero();
    return result.output();
  }

  /** Loads the image the images module built (once per storage: podman keeps it). */
  static String load() {
    Path tar = Path.of(System.getProperty("meshboot.image.tar"));
    if (!Files.isRegularFile(tar)) {
      fail("no image at %s: build it first (./mvnw package -pl images -am)", tar);
    }
    ok("load", "-q", "-i", tar.toString());
    // the previous build's image, which the new one took the name of
    run(Duration.ofMinutes(1), "image", "prune", "-f");
    return System.getProperty("meshboot.image.name");
  }

  /** The host's pid of the container's PID 1. */
  static long pid(String container) {
    return Long.parseLong(ok("inspect", "--format", "{{.State.Pid}}", container).strip());
  }

  /** Removes the container, running or not. */
  static void remove(String container) {
    run(Duration.ofMinutes(1), "rm", "-f", "-t", "0", container);
  }

  private static List<String> global() {
    Path storage = Path.of(System.getProperty("meshboot.podman.storage")).toAbsolutePath();
    Path runroot = storage.resolve("run");
    // podman refuses a runroot longer than 50 characters (a checkout in a deeper directory than
    // /work/main): one in /run then, named after the storage
    if (runroot.toString().length() > 50) {
      runroot =
          Path.of("/run", "meshboot-podman-" + Integer.toHexString(storage.toString().hashCode()));
    }
    return List.of(
        "podman",
        "--runtime",
        "/usr/sbin/runc",
        "--cgroup-manager",
        "cgroupfs",
        "--storage-driver",
        "overlay",
        "--root",
        storage.resolve("root").toString(),
        "--runroot",
        runroot.toString());
  }
}
