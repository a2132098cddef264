package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envoy killed a hundred times: meshboot (relay mode against a live TLS, SigV4-verifying management
 * server, the busiest per restart: each new Envoy opens relay streams, signed upstream streams and
 * cache writes) ends within 5 MB of the resident memory it had after the first start.
 */
class RestartMemoryIT {

  private Process meshboot;
  private SigV4Upstream upstream;

  @AfterEach
  void stop() throws InterruptedException {
    Local.stop(meshboot, null);
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void aHundredRestartsLeaveResidentMemoryWithinFiveMegabytes(@TempDir Path tmp) throws Exception {
    int listener = Local.freePort();
    upstream = SigV4Upstream.create(tmp, ControlPlaneIT.snapshot(listener)).start();
    Map<String, String> env = new java.util.HashMap<>(upstream.env(tmp));
    env.putAll(
        Map.of(
            "ENVOY_ADMIN_ACCESS_PORT", Integer.toString(Local.freePort()),
            "APPNET_AGENT_ADMIN_MODE", "tcp",
            "APPNET_AGENT_HTTP_PORT", Integer.toString(Local.freePort()),
            "APPNET_ENVOY_RESTART_COUNT", "10",
            "MESHBOOT_RESTART_RESET_S", "1",
            "MESHBOOT_RESTART_BACKOFF_MS", "50"));
    Path log = tmp.resolve("meshboot.log");
    // through bin/meshboot: the supervisor's memory flags are the launcher's (its AOT caches off: a
    // first run trains them in the background for seconds, beside what is measured)
    env.put("ENVOY_LOG_LEVEL", "critical");
    meshboot = Local.launcherRun(tmp, log, env, null);
    Local.waitUntil(
        meshboot,
        () -> Local.get(listener, "/").startsWith("served"),
        log,
        "the relayed configuration serving",
        Duration.ofSeconds(60));
    Local.waitUntil(
        meshboot,
        () -> Local.envoyUnder(meshboot.toHandle()).isPresent(),
        log,
        "Envoy started",
        Duration.ofSeconds(30));
    Thread.sleep(5_000);
    long before = residentKb(meshboot.pid());
    for (int i = 0; i < 100; i++) {
      ProcessHandle envoy = envoy(log);
      envoy.destroyForcibly();
      envoy.onExit().get(10, TimeUnit.SECONDS);
      Local.waitUntil(
          meshboot,
          () ->
              Local.envoyUnder(meshboot.toHandle()).filter(e -> e.pid() != envoy.pid()).isPresent(),
          log,
          "Envoy restarted",
          Duration.ofSeconds(30));
      Thread.sleep(1_050); // running a healthy second refills the restart budget
    }
    Thread.sleep(15_000); // the native heap is trimmed every 10 s
    long after = residentKb(meshboot.pid());
    assertThat(after - before)
        .as("resident KB after 100 restarts (%d) vs after the first start (%d)", after, before)
        .isLessThan(5 * 1024);
    assertThat(Files.readString(log)).doesNotContain("restart budget");
  }

  private ProcessHandle envoy(Path log) throws Exception {
    Optional<ProcessHandle> envoy = Local.envoyUnder(meshboot.toHandle());
    assertThat(envoy).as(Files.readString(log)).isPresent();
    return envoy.get();
  }

  private static long residentKb(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }
}
