package dev.meshboot.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/meshboot run} starts Envoy itself, before the JVM, from the launch record of an
 * earlier start whose arguments, environment and files are unchanged (issue #15), and the JVM
 * supervises that Envoy as its own: drains it, restarts it, takes it down when killed; it replaces
 * an Envoy whose bootstrap is not the one this start makes.
 */
class LaunchRecordIT {

  private static final String ADOPTED = "envoy was started by the launcher from the launch record";
  private static final String REPLACED = "differs from this start; replacing it";
  private static final String SECRET = "launch-record-secret-never-written";

  private Process meshboot;
  private Server server;

  @AfterEach
  void stop() throws InterruptedException {
    Local.stop(meshboot, server);
  }

  /**
   * A static ENVOY_CONFIG_FILE: the second start's Envoy is started by the launcher, is the JVM's
   * child with the environment and signal dispositions the JVM gives its own children, and is
   * drained on SIGTERM, restarted when it dies, and killed with a killed meshboot. An edited file,
   * a changed variable, and a record whose bootstrap is not this start's are not started from it.
   */
  @Test
  void aRestartStartsEnvoyFromTheRecordAndTheJvmSupervisesIt(@TempDir Path tmp) throws Exception {
    int listener = Local.freePort();
    int admin = Local.freePort();
    Path config = tmp.resolve("static.yaml");
    Files.writeString(config, RunIT.staticConfig(admin, listener, "first"));
    Map<String, String> environment = environment(tmp);
    environment.put("ENVOY_CONFIG_FILE", config.toString());

    String first = runUntilServed(tmp, "1.log", environment, listener, "first");
    assertThat(first).doesNotContain(ADOPTED);
    Path record = onlyRecord(tmp);
    assertThat(Files.getPosixFilePermissions(record))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(record.getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    String recorded = Files.readString(record);
    assertThat(recorded)
        .startsWith("meshboot-launch 1\n")
        .contains("file ")
        .contains(" " + config)
        .contains("unset AWS_SECRET_ACCESS_KEY\n")
        .doesNotContain(SECRET);

    // the second start: Envoy from the record, a child of the JVM the launcher became
    meshboot = start(tmp, "2.log", environment);
    waitUntil(() -> Local.get(listener, "/").equals("first"), tmp.resolve("2.log"), "serving");
    ProcessHandle envoy = Local.envoyUnder(meshboot.toHandle()).orElseThrow();
    waitUntil(
        () -> read(tmp, "2.log").contains(ADOPTED + "; supervising it pid=" + envoy.pid()),
        tmp.resolve("2.log"),
        "the JVM adopting Envoy");
    String environ = Files.readString(Path.of("/proc/" + envoy.pid() + "/environ"));
    assertThat(environ)
        .as("what the JVM gives Envoy: its environment less the credentials and its plumbing")
        .contains("ENVOY_CONFIG_FILE=" + config)
        .doesNotContain(SECRET)
        .doesNotContain("MESHBOOT_RENDER_COMMAND=")
        .doesNotContain("MESHBOOT_ADOPT=")
        .doesNotContain("MESHBOOT_LAUNCH_KEY=");
    String ignored = status(envoy, "SigIgn:");
    assertThat(descriptorTargets(envoy))
        .as("no descriptor of the launcher's (its script, the record)")
        .noneMatch(target -> target.contains("bin/meshboot") || target.contains(".record"));
    // Envoy killed: the JVM restarts it, now one of its own
    envoy.destroyForcibly();
    waitUntil(
        () ->
            Local.envoyUnder(meshboot.toHandle()).map(ProcessHandle::pid).orElse(envoy.pid())
                    != envoy.pid()
                && Local.get(listener, "/").equals("first"),
        tmp.resolve("2.log"),
        "a restarted Envoy serving");
    assertThat(read(tmp, "2.log")).contains("envoy exited; restarting");
    assertThat(status(Local.envoyUnder(meshboot.toHandle()).orElseThrow(), "SigIgn:"))
        .as(
            "the signals Envoy ignores are those of an Envoy the JVM started (bash's background"
                + " commands ignore SIGINT and SIGQUIT)")
        .isEqualTo(ignored);
    meshboot.destroy();
    assertThat(meshboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(meshboot.exitValue()).as(read(tmp, "2.log")).isZero();
    assertThat(read(tmp, "2.log")).contains("draining").contains("envoy stopped");

    // meshboot killed outright: the Envoy the launcher started goes with it; the bootstrap gone
    // meanwhile is written again from the record, exactly (the JVM keeps that Envoy)
    Files.delete(tmp.resolve("envoy.json"));
    meshboot = start(tmp, "3.log", environment);
    waitUntil(() -> read(tmp, "3.log").contains(ADOPTED), tmp.resolve("3.log"), "adopting");
    ProcessHandle adopted = Local.envoyUnder(meshboot.toHandle()).orElseThrow();
    waitUntil(() -> read(tmp, "3.log").contains("envoy is LIVE"), tmp.resolve("3.log"), "LIVE");
    assertThat(read(tmp, "3.log")).doesNotContain(REPLACED);
    meshboot.destroyForcibly();
    assertThat(meshboot.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(adopted.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();

    // an edited file: another version, not started from the record
    Files.writeString(config, RunIT.staticConfig(admin, listener, "edited"));
    assertThat(runUntilServed(tmp, "4.log", environment, listener, "edited"))
        .doesNotContain(ADOPTED);
    // a changed variable: another key
    Map<String, String> changed = new HashMap<>(environment);
    changed.put("ENVOY_LOG_LEVEL", "error");
    assertThat(runUntilServed(tmp, "5.log", changed, listener, "edited")).doesNotContain(ADOPTED);

    // a record whose bootstrap is not what this start makes (written by the launcher, since the
    // file in place is gone): the JVM replaces that Envoy with one of the right bootstrap
    Path current = recordFor(tmp, environment);
    String text = Files.readString(current);
    assertThat(text).contains("edited");
    Files.writeString(current, text.replace("\"edited\"", "\"tampered\""));
    Files.delete(tmp.resolve("envoy.json"));
    String sixth = runUntilServed(tmp, "6.log", environment, listener, "edited");
    assertThat(sixth).contains(REPLACED).doesNotContain(ADOPTED);
    assertThat(Files.readString(tmp.resolve("envoy.json"))).contains("edited");
  }

  /**
   * A generated bootstrap (ADS to a control plane): the renderer still renders at each start, into
   * a file of its own beside the record, and the run keeps the launcher's Envoy when the two agree.
   */
  @Test
  void aGeneratedBootstrapIsRenderedAgainAndKeptWhenTheSame(@TempDir Path tmp) throws Exception {
    int listener = Local.freePort();
    server = Local.controlPlane(ControlPlaneIT.snapshot(listener));
    Map<String, String> environment = environment(tmp);
    environment.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + server.getPort());
    environment.put("ENVOY_ADMIN_ACCESS_PORT", Integer.toString(Local.freePort()));

    assertThat(runUntilServed(tmp, "1.log", environment, listener, "served"))
        .doesNotContain(ADOPTED);
    meshboot = start(tmp, "2.log", environment);
    waitUntil(() -> read(tmp, "2.log").contains(ADOPTED), tmp.resolve("2.log"), "adopting");
    String second = runUntilServed(tmp, null, environment, listener, "served");
    assertThat(second).doesNotContain(REPLACED);
    try (Stream<Path> files = Files.list(tmp.resolve("cache/launch"))) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .as("the renderer's check and report are removed")
          .noneMatch(name -> name.contains(".check.") || name.endsWith(".report"));
    }
  }

  /**
   * What the test adds to {@link Local#launcherRun}'s environment: credentials, the API's socket.
   */
  private static Map<String, String> environment(Path tmp) {
    Map<String, String> env = new HashMap<>();
    env.put("APPNET_AGENT_ADMIN_MODE", "uds");
    env.put("APPNET_AGENT_ADMIN_UDS_PATH", tmp.resolve("api.sock").toString());
    env.put("AWS_ACCESS_KEY_ID", "AKIDLAUNCHRECORD");
    env.put("AWS_SECRET_ACCESS_KEY", SECRET);
    return env;
  }

  private Process start(Path tmp, String log, Map<String, String> environment) throws IOException {
    return Local.launcherRun(tmp, tmp.resolve(log), environment, null);
  }

  /**
   * Runs meshboot until {@code listener} answers {@code body} (its start), stops it (exit 0); its
   * log. Without a log's name, the meshboot already started, whose log is 2.log.
   */
  private String runUntilServed(
      Path tmp, @Nullable String name, Map<String, String> environment, int listener, String body)
      throws Exception {
    String log = name == null ? "2.log" : name;
    if (name != null) {
      meshboot = start(tmp, log, environment);
    }
    waitUntil(
        () -> Local.get(listener, "/").startsWith(body), tmp.resolve(log), "answering " + body);
    meshboot.destroy();
    assertThat(meshboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(meshboot.exitValue()).as(read(tmp, log)).isZero();
    return read(tmp, log);
  }

  private void waitUntil(dev.meshboot.testing.Wait.Check check, Path log, String what)
      throws Exception {
    Local.waitUntil(meshboot, check, log, what, Duration.ofSeconds(30));
  }

  private static String read(Path tmp, String log) throws IOException {
    return Files.readString(tmp.resolve(log), UTF_8);
  }

  private static Path onlyRecord(Path tmp) throws IOException {
    try (Stream<Path> files = Files.list(tmp.resolve("cache/launch"))) {
      List<Path> records =
          files.filter(file -> file.getFileName().toString().endsWith(".record")).toList();
      assertThat(records).hasSize(1);
      return records.get(0);
    }
  }

  /** The record of the start with {@code environment}: the newest one. */
  private static Path recordFor(Path tmp, Map<String, String> environment) throws IOException {
    try (Stream<Path> files = Files.list(tmp.resolve("cache/launch"))) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".record"))
          .filter(file -> read(file).contains(" " + environment.get("ENVOY_CONFIG_FILE") + "\n"))
          .filter(file -> !read(file).contains("\narg error\n"))
          .findFirst()
          .orElseThrow();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String status(ProcessHandle process, String field) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
        .filter(line -> line.startsWith(field))
        .map(line -> line.substring(field.length()).strip())
        .findFirst()
        .orElseThrow();
  }

  private static List<String> descriptorTargets(ProcessHandle process) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/" + process.pid() + "/fd"))) {
      return fds.map(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                  return "";
                }
              })
          .toList();
    }
  }
}
