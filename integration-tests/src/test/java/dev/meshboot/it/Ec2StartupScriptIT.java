package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The EC2 kit's startup script ({@code platforms/ec2/user-data.sh}) run as user data would run it,
 * with the release archive the build made, into a temporary root in a mount namespace where
 * everything else is read-only (a write outside the root fails the script): what it installs, with
 * which owners and modes; that running it again upgrades in place; that a bad argument or archive
 * is an error naming it that leaves nothing behind; and ShellCheck on the repository's scripts.
 * Needs root, util-linux, useradd and shellcheck (bin/test installs them); fails without them.
 */
class Ec2StartupScriptIT {

  private static final Path KIT = Ec2Root.REPOSITORY.resolve("platforms/ec2");

  private static Ec2Root.@Nullable Installed installed;

  @BeforeAll
  static void install() throws IOException {
    installed = Ec2Root.frontend("script");
  }

  @AfterAll
  static void remove() throws IOException {
    if (installed != null) {
      installed.root().delete();
    }
  }

  @Test
  void theRepositorysScriptsPassShellcheck() throws Exception {
    List<String> command = new ArrayList<>(List.of("shellcheck", "-x"));
    for (String script :
        List.of(
            "platforms/ec2/user-data.sh",
            "bin/meshboot",
            "bin/lib/java.sh",
            "bin/test",
            "dist/build.sh",
            "images/src/build/assemble.sh")) {
      command.add(Ec2Root.REPOSITORY.resolve(script).toString());
    }
    Ec2Root.Result checked = Ec2Root.run(command, 60);
    assertThat(checked.code() + checked.output()).isEqualTo("0");
  }

  @Test
  void theStartupScriptInstallsIntoTheRootOnly() throws Exception {
    Ec2Root root = Objects.requireNonNull(installed).checked();

    // the release, root's and not writable by anyone else
    assertThat(root.at("/opt/meshboot/bin/meshboot")).isExecutable();
    assertThat(root.at("/opt/meshboot/envoy/envoy")).isExecutable();
    assertThat(root.at("/opt/meshboot/jre/bin/java")).isExecutable();
    assertThat(root.at("/opt/meshboot/lib/meshboot.jar")).isRegularFile();
    try (Stream<Path> files = Files.walk(root.at("/opt/meshboot"))) {
      assertThat(
              files.filter(
                  file ->
                      !Files.isSymbolicLink(file)
                          && (mode(file) & 0022) != 0
                          && !file.equals(root.at("/opt/meshboot"))))
          .as("files writable by group or others")
          .isEmpty();
    }
    assertThat(owner(root.at("/opt/meshboot/lib/meshboot.jar"))).isEqualTo("0:0");
    try (Stream<Path> opt = Files.list(root.at("/opt"))) {
      assertThat(opt)
          .as("nothing but the installation in /opt")
          .containsExactly(root.at("/opt/meshboot"));
    }

    // the service user: UID and GID 1337, no login, no home
    assertThat(Files.readAllLines(root.at("/etc/passwd")))
        .contains("meshboot:x:1337:1337:meshboot (Envoy sidecar):/nonexistent:/usr/sbin/nologin");
    assertThat(Files.readAllLines(root.at("/etc/group"))).contains("meshboot:x:1337:");

    // the environment: root's, readable by the service user's group only
    Path env = root.at("/etc/meshboot/meshboot.env");
    assertThat(Integer.toOctalString(mode(root.at("/etc/meshboot")))).isEqualTo("750");
    assertThat(Integer.toOctalString(mode(env))).isEqualTo("640");
    assertThat(owner(env)).isEqualTo("0:1337");
    assertThat(Files.readAllLines(env).stream().filter(line -> !line.startsWith("#")))
        .containsExactly(
            "APPMESH_RESOURCE_ARN=mesh/appmesh-workshop/virtualNode/frontend",
            "APPMESH_XDS_ENDPOINT=127.0.0.1:15010",
            "APPMESH_APP_PORTS=8080",
            "APPMESH_EGRESS_IGNORED_PORTS=9090",
            "AWS_EC2_METADATA_DISABLED=true",
            "LISTENER_DRAIN_WAIT_TIME_S=5",
            "APPMESH_IGNORE_UID=1337");

    // the units, as the kit has them, enabled for the boot
    for (String unit : List.of("meshboot.service", "meshboot-intercept.service")) {
      Path installedUnit = root.at("/etc/systemd/system/" + unit);
      assertThat(installedUnit).hasSameTextualContentAs(KIT.resolve(unit));
      assertThat(Integer.toOctalString(mode(installedUnit))).isEqualTo("644");
      assertThat(
              Files.readSymbolicLink(
                  root.at("/etc/systemd/system/multi-user.target.wants/" + unit)))
          .isEqualTo(Path.of("/etc/systemd/system/" + unit));
    }

    // the AOT caches, trained as the service user: the renderer's and the supervisor's
    Path cache = root.at("/var/cache/meshboot");
    assertThat(owner(cache)).isEqualTo("1337:1337");
    try (Stream<Path> files = Files.list(cache)) {
      List<String> names = files.map(file -> file.getFileName().toString()).toList();
      assertThat(names).anyMatch(name -> name.matches("meshboot-[0-9].*\\.aot"));
      assertThat(names).anyMatch(name -> name.matches("meshboot-run-direct-.*\\.aot"));
      assertThat(names).noneMatch(name -> name.endsWith(".failed"));
    }
    try (Stream<Path> files = Files.list(cache)) {
      assertThat(files.filter(file -> !owner(file).equals("1337:1337")))
          .as("cache files not the service user's")
          .isEmpty();
    }
    // and the interception unit's own, root's (it cannot read the service user's)
    Path interceptCache = root.at("/var/cache/meshboot-intercept");
    assertThat(owner(interceptCache) + " " + Integer.toOctalString(mode(interceptCache)))
        .isEqualTo("0:0 700");
    try (Stream<Path> files = Files.list(interceptCache)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .anyMatch(name -> name.matches("meshboot-[0-9].*\\.aot"));
    }
    // the private /tmp it had: the training's scratch directories are gone
    try (Stream<Path> left = Files.list(Objects.requireNonNull(installed).tmp())) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void runningTheScriptAgainUpgradesInPlace() throws Exception {
    Ec2Root root = Ec2Root.create("again");
    try {
      Path tmp = Ec2Root.privateTmp(root.work("tmp"));
      String archive = Ec2Root.archive().toString();
      List<String> first =
          List.of("--archive", archive, "--mesh", "m", "--virtual-node", "n", "--app-ports", "80");
      Ec2Root.Result installedOnce = root.install(tmp, first);
      assertThat(installedOnce.code()).as(installedOnce.output()).isZero();
      Object jarBefore = Files.getAttribute(root.at("/opt/meshboot/lib/meshboot.jar"), "unix:ino");

      Ec2Root.Result again =
          root.install(
              tmp,
              List.of(
                  "--archive",
                  archive,
                  "--mesh",
                  "m",
                  "--virtual-gateway",
                  "gw",
                  "--no-intercept"));
      assertThat(again.code()).as(again.output()).isZero();
      assertThat(Files.getAttribute(root.at("/opt/meshboot/lib/meshboot.jar"), "unix:ino"))
          .as("a new release in place")
          .isNotEqualTo(jarBefore);
      try (Stream<Path> opt = Files.list(root.at("/opt"))) {
        assertThat(opt)
            .as("the previous release removed")
            .containsExactly(root.at("/opt/meshboot"));
      }
      assertThat(
              Files.readAllLines(root.at("/etc/passwd")).stream().filter(l -> l.contains(":1337:")))
          .as("the user, once")
          .hasSize(1);
      assertThat(Files.readAllLines(root.at("/etc/meshboot/meshboot.env")))
          .contains("APPMESH_RESOURCE_ARN=mesh/m/virtualGateway/gw")
          .noneMatch(line -> line.startsWith("APPMESH_APP_PORTS="));
      assertThat(root.at("/etc/systemd/system/multi-user.target.wants/meshboot.service"))
          .isSymbolicLink();
      assertThat(root.at("/etc/systemd/system/multi-user.target.wants/meshboot-intercept.service"))
          .as("--no-intercept disables the rules' unit")
          .doesNotExist();
      try (Stream<Path> files = Files.list(root.at("/var/cache/meshboot"))) {
        assertThat(files.map(file -> file.getFileName().toString()))
            .as("the caches of the new jar only: one renderer's, one supervisor's")
            .filteredOn(name -> name.endsWith(".aot"))
            .hasSize(2);
      }
    } finally {
      root.delete();
    }
  }

  @Test
  void aBadArgumentOrArchiveLeavesNothingBehind() throws Exception {
    Ec2Root root = Ec2Root.create("refused");
    Path tmp = Ec2Root.privateTmp(root.work("tmp"));
    try {
      String archive = Ec2Root.archive().toString();
      List<String> good =
          List.of("--archive", archive, "--mesh", "m", "--virtual-node", "n", "--no-start");
      Map<List<String>, String> refusals = new LinkedHashMap<>();
      refusals.put(List.of("--bogus"), "unknown argument \"--bogus\"");
      refusals.put(
          List.of("--app-ports", "8080,70000"), "--app-ports: port 70000 is not in 1-65535");
      refusals.put(List.of("--app-ports", "http"), "--app-ports: expected a comma list of ports");
      refusals.put(List.of("--region", "Mars"), "--region: expected a region");
      refusals.put(List.of("--xds-endpoint", "cp"), "--xds-endpoint: expected HOST:PORT");
      refusals.put(List.of("--env", "ENVOY_LOG_LEVEL=de bug"), "may not hold white space");
      refusals.put(List.of("--env", "envoy_log_level=debug"), "--env: expected NAME=VALUE");
      refusals.put(
          List.of("--env", "APPMESH_XDS_ENDPOINT=a:1", "--xds-endpoint", "b:2"),
          "APPMESH_XDS_ENDPOINT is already set");
      refusals.put(List.of("--env", "APPMESH_IGNORE_UID=0"), "--env APPMESH_IGNORE_UID");
      refusals.put(List.of("--sha256", "0".repeat(64)), "--sha256: " + archive + " has SHA-256");
      for (Map.Entry<List<String>, String> refusal : refusals.entrySet()) {
        List<String> arguments = new ArrayList<>(good);
        arguments.addAll(refusal.getKey());
        assertRefused(root, tmp, arguments, refusal.getValue());
      }
      assertRefused(
          root, tmp, List.of("--archive", archive, "--virtual-node", "n"), "--mesh is required");
      assertRefused(
          root,
          tmp,
          List.of("--archive", archive, "--mesh", "m", "--virtual-node", "front/end"),
          "--virtual-node: expected a name");
      assertRefused(
          root,
          tmp,
          List.of(
              "--archive",
              KIT.resolve("meshboot.service").toString(),
              "--mesh",
              "m",
              "--virtual-node",
              "n"),
          "is not a gzip'ed tar archive");

      // UID 1337 is someone else's: a clear stop, before anything is written
      Files.writeString(
          root.at("/etc/passwd"),
          "someone:x:1337:1337::/home/someone:/bin/sh\n",
          java.nio.file.StandardOpenOption.APPEND);
      assertRefused(root, tmp, good, "id 1337 is taken by the passwd entry someone");
    } finally {
      root.delete();
    }
  }

  private static void assertRefused(Ec2Root root, Path tmp, List<String> arguments, String message)
      throws Exception {
    var before = root.snapshot();
    Ec2Root.Result refused = root.install(tmp, arguments);
    assertThat(refused.code()).as(arguments + ": " + refused.output()).isNotZero();
    assertThat(refused.output()).as(arguments.toString()).contains(message);
    var after = root.snapshot();
    List<String> changed = new ArrayList<>();
    before.forEach(
        (path, what) -> {
          if (!what.equals(after.get(path))) {
            changed.add(path + ": " + what + " -> " + after.get(path));
          }
        });
    after.forEach(
        (path, what) -> {
          if (!before.containsKey(path)) {
            changed.add(path + ": new " + what);
          }
        });
    assertThat(changed).as(arguments + " left something behind").isEmpty();
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).as(arguments + " left something in /tmp").isEmpty();
    }
  }

  private static int mode(Path path) {
    try {
      return (Integer) Files.getAttribute(path, "unix:mode") & 07777;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String owner(Path path) {
    try {
      return Files.getAttribute(path, "unix:uid") + ":" + Files.getAttribute(path, "unix:gid");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
