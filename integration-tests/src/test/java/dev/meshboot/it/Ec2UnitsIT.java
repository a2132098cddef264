package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The EC2 kit's units as the startup script installs them (from the release archive the build made,
 * into a temporary root): {@code systemd-analyze verify} and {@code security} on them, and their
 * command lines run as written ({@link Ec2UnitRun#asWritten}: systemd's environment, no HOME, USER
 * or terminal, the unit's user, capabilities and file-system sandbox) in a network namespace the
 * test creates: {@code meshboot.service} against a loopback control plane ({@code meshboot mesh
 * serve} of the App Mesh workshop) becomes ready and drains on SIGTERM, {@code
 * meshboot-intercept.service} applies, re-applies and removes App Mesh's rules. Needs root,
 * iproute2, util-linux, iptables and systemd's {@code systemd-analyze} (bin/test installs them);
 * fails without them.
 */
class Ec2UnitsIT {

  private static final Path WORKSHOP =
      Path.of(System.getProperty("meshboot.examples"), "appmesh-workshop").toAbsolutePath();
  private static final String UNIT = "/etc/systemd/system/meshboot.service";
  private static final String INTERCEPT_UNIT = "/etc/systemd/system/meshboot-intercept.service";

  private static Ec2Root.@Nullable Installed installed;

  @BeforeAll
  static void install() throws IOException {
    installed = Ec2Root.frontend("units");
  }

  @AfterAll
  static void remove() throws IOException {
    if (installed != null) {
      installed.root().delete();
    }
  }

  @Test
  void theInstalledUnitsPassSystemdAnalyzeVerify() throws Exception {
    Ec2Root root = Objects.requireNonNull(installed).checked();
    assertThat(verify(root, "meshboot.service", "meshboot-intercept.service"))
        .isEqualTo(new Ec2Root.Result(0, ""));

    // systemd-analyze warns and carries on (exit 0) about a setting it cannot use: any output fails
    Path typo = root.at("/etc/systemd/system/meshboot-typo.service");
    Files.writeString(
        typo, Files.readString(root.at(UNIT)).replace("KillMode=mixed", "KillMode=mixd"));
    try {
      assertThat(verify(root, "meshboot-typo.service").output())
          .contains("Failed to parse kill mode specification");
    } finally {
      Files.delete(typo);
    }

    // the hardening, as systemd scores it (0 best, 10 worst; "OK" up to 4.9)
    Ec2Root.Result security =
        Ec2Root.run(
            List.of(
                "systemd-analyze",
                "security",
                "--offline=yes",
                "--root=" + root.path(),
                "meshboot.service"),
            60);
    String overall =
        security
            .output()
            .lines()
            .filter(line -> line.contains("Overall exposure level for meshboot.service"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(security.output()));
    assertThat(Double.parseDouble(overall.replaceAll(".*: ([0-9.]+) .*", "$1")))
        .as(overall)
        .isLessThanOrEqualTo(3.1);
  }

  @Test
  void theUnitsExecStartRunsAsWrittenBecomesReadyAndDrainsOnSigterm() throws Exception {
    Ec2Root root = Objects.requireNonNull(installed).checked();
    SystemdUnit unit = SystemdUnit.parse(root.at(UNIT));
    Path logs = root.work("run");
    // RuntimeDirectory=: created by systemd for the unit's user, with the unit's mode
    Path runtime = root.at("/run/" + unit.one("Service.RuntimeDirectory"));
    Files.createDirectories(runtime);
    int uid = Ec2UnitRun.id(root, "passwd", unit.one("Service.User"));
    int gid = Ec2UnitRun.id(root, "group", unit.one("Service.Group"));
    Ec2Root.run(List.of("chown", uid + ":" + gid, runtime.toString()), 10);
    Ec2Root.run(List.of("chmod", unit.one("Service.RuntimeDirectoryMode"), runtime.toString()), 10);
    Path cache = root.at("/var/cache/" + unit.one("Service.CacheDirectory"));

    try (Netns instance = Netns.create()) {
      MeshProcesses controlPlane = new MeshProcesses();
      try {
        Path planeLog = logs.resolve("control-plane.log");
        Process plane =
            controlPlane.meshboot(
                planeLog,
                Map.of(),
                instance,
                "mesh",
                "serve",
                WORKSHOP.toString(),
                "--listen",
                "127.0.0.1:15010");
        Local.waitUntil(
            plane,
            () -> Local.read(planeLog).contains("serving"),
            planeLog,
            "the control plane serving",
            Duration.ofSeconds(60));

        Path log = logs.resolve("meshboot.log");
        Process meshboot =
            instance.start(
                new ProcessBuilder(
                        Ec2UnitRun.asWritten(
                            root, unit, unit.one("Service.ExecStart"), runtime, cache, logs))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));

        // ExecStartPost=: the unit is active once it exits 0
        Process post =
            instance.start(
                new ProcessBuilder(
                        Ec2UnitRun.asWritten(
                            root, unit, unit.one("Service.ExecStartPost"), runtime, cache, logs))
                    .redirectErrorStream(true)
                    .redirectOutput(logs.resolve("wait-ready.log").toFile()));
        long startSeconds = Long.parseLong(unit.one("Service.TimeoutStartSec"));
        assertThat(post.waitFor(startSeconds, TimeUnit.SECONDS)).isTrue();
        assertThat(post.exitValue())
            .as(Local.read(logs.resolve("wait-ready.log")) + "\n" + Local.read(log))
            .isZero();
        assertThat(meshboot.isAlive()).isTrue();

        // the mesh's configuration reached Envoy: the workshop's egress filter (DROP_ALL) answers
        assertThat(instance.curl(5, "http://127.0.0.1:15001/", "-H", "Host: example.com"))
            .isEqualTo("404 ");
        ProcessHandle envoy = Local.envoyUnder(meshboot.toHandle()).orElseThrow();
        assertThat(Files.readAllLines(Path.of("/proc", Long.toString(envoy.pid()), "status")))
            .as("Envoy runs as the service user (the UID interception leaves alone)")
            .contains("Uid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid);
        assertThat(Local.read(log))
            .as("the caches were trained at installation, for this very environment")
            .doesNotContain("creating the")
            .doesNotContain("running without");

        // KillMode=mixed: SIGTERM to meshboot alone, which drains and stops Envoy itself
        meshboot.destroy();
        long stopSeconds = Long.parseLong(unit.one("Service.TimeoutStopSec"));
        assertThat(meshboot.waitFor(stopSeconds, TimeUnit.SECONDS)).isTrue();
        assertThat(meshboot.exitValue()).as(Local.read(log)).isZero();
        assertThat(envoy.isAlive()).isFalse();
        assertThat(Local.read(log)).contains("draining inbound listeners");
      } finally {
        controlPlane.stop();
      }
    }
  }

  @Test
  void theInterceptUnitAppliesAndRemovesTheRulesWithItsCapabilitiesOnly() throws Exception {
    Ec2Root root = Objects.requireNonNull(installed).checked();
    SystemdUnit unit = SystemdUnit.parse(root.at(INTERCEPT_UNIT));
    assertThat(unit.one("Service.User")).isEqualTo("root");
    Path logs = root.work("intercept");
    // its own AOT cache, trained by the startup script: root without CAP_DAC_OVERRIDE cannot
    // read the service user's
    Path cache = root.at("/var/cache/" + unit.one("Service.CacheDirectory"));
    try (Netns instance = Netns.create()) {
      Ec2Root.Result enabled =
          Ec2UnitRun.inNetns(
              instance,
              Ec2UnitRun.asWritten(root, unit, unit.one("Service.ExecStart"), null, cache, logs));
      assertThat(enabled.code()).as(enabled.output()).isZero();
      assertThat(enabled.output()).doesNotContain("creating the AOT cache");
      String rules = Ec2UnitRun.iptablesSave(instance);
      assertThat(rules)
          .contains("-A APPMESH_EGRESS -m owner --uid-owner 1337 -j RETURN")
          .contains("-A APPMESH_EGRESS -p tcp -m multiport --dports 9090 -j RETURN")
          .contains("-A APPMESH_EGRESS -p tcp -j REDIRECT --to-ports 15001")
          .contains(
              "-A APPMESH_INGRESS -p tcp -m multiport --dports 8080 -j REDIRECT --to-ports 15000");

      // ExecReload= (the startup script run again): the same rules, never removed in between
      Ec2Root.Result reloaded =
          Ec2UnitRun.inNetns(
              instance,
              Ec2UnitRun.asWritten(root, unit, unit.one("Service.ExecReload"), null, cache, logs));
      assertThat(reloaded.code()).as(reloaded.output()).isZero();
      assertThat(Ec2UnitRun.iptablesSave(instance)).isEqualTo(rules);

      Ec2Root.Result disabled =
          Ec2UnitRun.inNetns(
              instance,
              Ec2UnitRun.asWritten(root, unit, unit.one("Service.ExecStop"), null, cache, logs));
      assertThat(disabled.code()).as(disabled.output()).isZero();
      assertThat(Ec2UnitRun.iptablesSave(instance)).doesNotContain("APPMESH_");
    }
  }

  private static Ec2Root.Result verify(Ec2Root root, String... units) throws IOException {
    List<String> command =
        new ArrayList<>(List.of("systemd-analyze", "verify", "--root=" + root.path()));
    command.addAll(List.of(units));
    return Ec2Root.run(command, 60);
  }
}
