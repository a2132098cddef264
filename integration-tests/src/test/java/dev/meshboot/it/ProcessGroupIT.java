package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/meshboot run} as a terminal and a container runtime start it: Envoy in a process group
 * of its own, so a Ctrl-C reaches meshboot only; and meshboot as PID 1, reaping orphans without
 * taking Envoy's exit status.
 */
class ProcessGroupIT {

  private final List<ProcessHandle> started = new ArrayList<>();
  private Process launched;
  private Server server;

  @AfterEach
  void stop() throws InterruptedException {
    for (ProcessHandle process : started) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    if (launched != null && launched.isAlive()) {
      launched.destroyForcibly();
      launched.waitFor(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void ctrlCToTheTerminalsProcessGroupReachesMeshbootOnlyWhichDrainsEnvoy(@TempDir Path tmp)
      throws Exception {
    server = Local.controlPlane(ControlPlaneIT.snapshot());
    int admin = Local.freePort();
    Path log = tmp.resolve("meshboot.log");
    // setsid: meshboot leads a process group, as a shell's foreground job does, without this JVM.
    launched = start(tmp, log, Envoy.path(), admin, "setsid");
    long meshboot = launched.pid();
    started.add(launched.toHandle());
    waitUntil(() -> "LIVE".equals(Local.ready(admin)), log, "Envoy LIVE");
    assertThat(stat(meshboot)[2]).as("meshboot leads its process group").isEqualTo(meshboot + "");
    ProcessHandle envoy = Local.envoyUnder(launched.toHandle()).orElseThrow();
    assertThat(stat(envoy.pid())[2])
        .as("Envoy's process group")
        .isEqualTo(envoy.pid() + "")
        .isNotEqualTo(stat(meshboot)[2]);
    assertThat(stat(envoy.pid())[3])
        .as("Envoy's session")
        .isEqualTo(envoy.pid() + "")
        .isNotEqualTo(stat(meshboot)[3]);

    Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + meshboot).inheritIO().start();
    assertThat(kill.waitFor()).isZero();

    assertThat(launched.waitFor(20, TimeUnit.SECONDS)).as("meshboot exits").isTrue();
    String output = Files.readString(log);
    assertThat(launched.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("signal=SIGINT")
        .contains("draining inbound listeners")
        .contains("envoy stopped")
        .doesNotContain("caught SIGINT")
        .doesNotContain("envoy exited");
    assertThat(envoy.isAlive()).isFalse();
  }

  @Test
  void asPid1ReapsOrphansButLeavesEnvoysExitStatusToTheSupervisor(@TempDir Path tmp)
      throws Exception {
    server = Local.controlPlane(ControlPlaneIT.snapshot());
    int admin = Local.freePort();
    Path log = tmp.resolve("meshboot.log");
    // Every start of this "Envoy" leaves an orphan behind: the subshell exits at once.
    Path wrapper = tmp.resolve("envoy");
    Files.writeString(wrapper, "#!/bin/sh\n(sleep 3 &)\nexec '" + Envoy.path() + "' \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    launched = start(tmp, log, wrapper, admin, "unshare", "--pid", "--fork", "--mount-proc");
    started.add(launched.toHandle());
    ProcessHandle meshboot = pid1(log);
    assertThat(Files.readString(Path.of("/proc/" + meshboot.pid() + "/status")))
        .as("meshboot is PID 1 in its namespace")
        .containsPattern("NSpid:\\s+" + meshboot.pid() + "\\s+1\\n");

    waitUntil(() -> childrenNamed(meshboot, "sleep") > 0, log, "an orphan adopted by meshboot");
    waitUntil(() -> "LIVE".equals(Local.ready(admin)), log, "Envoy LIVE");
    waitUntil(
        () -> childrenNamed(meshboot, "sleep") == 0 && zombiesOf(meshboot.pid()).isEmpty(),
        log,
        "orphans that exited and were reaped, with no zombie left");

    ProcessHandle envoy = Local.envoyUnder(meshboot).orElseThrow();
    envoy.destroyForcibly();
    waitUntil(
        () -> Local.envoyUnder(meshboot).map(e -> e.pid() != envoy.pid()).orElse(false),
        log,
        "Envoy restarted");
    String output = Files.readString(log);
    assertThat(output)
        .as("the supervisor, not the reaper, got Envoy's exit status")
        .contains("envoy exited; restarting")
        .contains("signal (exit 137, signal 9)")
        .doesNotContain("exit status is lost");
    waitUntil(() -> "LIVE".equals(Local.ready(admin)), log, "the restarted Envoy LIVE");

    meshboot.destroy();
    assertThat(launched.waitFor(20, TimeUnit.SECONDS)).as("meshboot exits on SIGTERM").isTrue();
    assertThat(launched.exitValue()).as(Files.readString(log)).isZero();
    assertThat(Files.readString(log)).contains("draining inbound listeners");
  }

  /** The JVM that unshare started, PID 1 in its namespace; fails when unshare could not. */
  private ProcessHandle pid1(Path log) throws Exception {
    dev.meshboot.testing.Wait.until(
        "the JVM unshare started (unshare --pid --fork --mount-proc needs root or unprivileged user"
            + " namespaces)",
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        () -> jvmUnder(launched).isPresent(),
        launched::isAlive,
        () -> Local.read(log));
    return jvmUnder(launched).orElseThrow();
  }

  private static Optional<ProcessHandle> jvmUnder(Process process) {
    return process
        .children()
        .filter(child -> child.info().command().orElse("").endsWith("java"))
        .findFirst();
  }

  private Process start(Path tmp, Path log, Path envoy, int admin, String... wrapper)
      throws IOException {
    Path root = Path.of(System.getProperty("meshboot.jar")).toAbsolutePath().normalize();
    Path launcher = root.getParent().getParent().getParent().resolve("bin/meshboot");
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", tmp.toString());
    env.put("MESHBOOT_JAR", root.toString());
    env.put("MESHBOOT_JAVA_HOME", ReleaseJava.home().toString());
    env.put("MESHBOOT_AOT", "0");
    env.put("ENVOY_BIN", envoy.toString());
    env.put("APPMESH_RESOURCE_ARN", RunIT.ARN);
    env.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + server.getPort());
    env.put("ENVOY_ADMIN_ACCESS_PORT", Integer.toString(admin));
    env.put("ENVOY_ADMIN_ACCESS_LOG_FILE", tmp.resolve("admin.log").toString());
    env.put("MESHBOOT_BOOTSTRAP_PATH", tmp.resolve("envoy.json").toString());
    env.put("MESHBOOT_RESTART_BACKOFF_MS", "100");
    env.put("LISTENER_DRAIN_WAIT_TIME_S", "5");
    env.put("ENVOY_LOG_LEVEL", "warning");
    List<String> command = new ArrayList<>(List.of(wrapper));
    command.add(launcher.toString());
    command.add("run");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    return builder.start();
  }

  /** The fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, ... */
  private static String[] stat(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
  }

  private static String comm(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
    } catch (IOException e) {
      return "";
    }
  }

  private static long childrenNamed(ProcessHandle parent, String name) {
    return parent.children().filter(child -> comm(child.pid()).equals(name)).count();
  }

  /** Zombies, anywhere on the host, whose parent is {@code parent}. */
  private static List<Long> zombiesOf(long parent) throws IOException {
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .map(p -> Long.parseLong(p.getFileName().toString()))
          .filter(
              pid -> {
                try {
                  String[] fields = stat(pid);
                  return fields[0].equals("Z") && Long.parseLong(fields[1]) == parent;
                } catch (IOException | RuntimeException e) {
                  return false; // gone meanwhile
                }
              })
          .toList();
    }
  }

  private void waitUntil(dev.meshboot.testing.Wait.Check check, Path log, String what)
      throws Exception {
    Local.waitUntil(launched, check, log, what, Duration.ofSeconds(20));
  }
}
