package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The EC2 kit ({@code platforms/ec2/}) as an instance uses it: the startup script installs the
 * release archive the build made into a temporary root (everything else read-only, so a write
 * outside it fails the script), and the installed unit's {@code ExecStart=} and {@code
 * ExecStartPost=} run as written, with systemd's environment ({@code env -i}: the unit's {@code
 * Environment=}, its {@code EnvironmentFile=}, {@code CACHE_DIRECTORY}, {@code RUNTIME_DIRECTORY};
 * no HOME, USER or terminal), as the unit's user, in the file-system sandbox its settings ask for,
 * against a loopback control plane ({@code meshboot mesh serve} of the App Mesh workshop) in a
 * network namespace the test creates. Needs root, iproute2, util-linux, iptables, shellcheck and
 * systemd's {@code systemd-analyze} (bin/test installs them); fails without them.
 */
class Ec2KitIT {

  private static final Path WORKSHOP =
      Path.of(System.getProperty("meshboot.examples"), "appmesh-workshop").toAbsolutePath();
  private static final Path KIT = Ec2Root.REPOSITORY.resolve("platforms/ec2");
  private static final String UNIT = "/etc/systemd/system/meshboot.service";
  private static final String INTERCEPT_UNIT = "/etc/systemd/system/meshboot-intercept.service";

  private static @Nullable Ec2Root installed;
  private static Ec2Root.@Nullable Result installation;
  private static @Nullable Path installTmp;

  /** One installation, as user data would run it, for the tests that only read it. */
  @BeforeAll
  static void install() throws Exception {
    Ec2Root root = Ec2Root.create("installed");
    installed = root;
    installTmp = Ec2Root.privateTmp(root.work("tmp"));
    Path archive = Ec2Root.archive();
    installation =
        root.install(
            installTmp,
            List.of(
                "--archive", archive.toString(),
                "--sha256", sha256(archive),
                "--mesh", "appmesh-workshop",
                "--virtual-node", "frontend",
                "--xds-endpoint", "127.0.0.1:15010",
                "--app-ports", "8080",
                "--egress-ignored-ports", "9090",
                "--env", "AWS_EC2_METADATA_DISABLED=true",
                "--env", "LISTENER_DRAIN_WAIT_TIME_S=5"));
  }

  @AfterAll
  static void remove() throws IOException {
    if (installed != null) {
      installed.delete();
    }
  }

  @Test
  void theScriptsPassShellcheck() throws Exception {
    Ec2Root.Result checked =
        Ec2Root.run(
            List.of(
                "shellcheck",
                "-x",
                KIT.resolve("user-data.sh").toString(),
                Ec2Root.REPOSITORY.resolve("bin/meshboot").toString()),
            60);
    assertThat(checked.output()).isEmpty();
    assertThat(checked.code()).isZero();
  }

  @Test
  void theInstalledUnitsPassSystemdAnalyzeVerify() throws Exception {
    Ec2Root root = installedRoot();
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
        .isLessThanOrEqualTo(3.5);
  }

  @Test
  void theStartupScriptInstallsIntoTheRootOnly() throws Exception {
    Ec2Root root = installedRoot();
    Ec2Root.Result result = Objects.requireNonNull(installation);
    assertThat(result.code()).as(result.output()).isZero();

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
    // the private /tmp it had: the training's scratch directories are gone
    try (Stream<Path> left = Files.list(Objects.requireNonNull(installTmp))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void theUnitsExecStartRunsAsWrittenBecomesReadyAndDrainsOnSigterm() throws Exception {
    Ec2Root root = installedRoot();
    SystemdUnit unit = SystemdUnit.parse(root.at(UNIT));
    Path logs = root.work("run");
    // RuntimeDirectory=: created by systemd for the unit's user, with the unit's mode
    Path runtime = root.at("/run/" + unit.one("Service.RuntimeDirectory"));
    Files.createDirectories(runtime);
    int uid = id(root, "passwd", unit.one("Service.User"));
    int gid = id(root, "group", unit.one("Service.Group"));
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
                        asWritten(root, unit, unit.one("Service.ExecStart"), runtime, cache, logs))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));

        // ExecStartPost=: the unit is active once it exits 0
        Process post =
            instance.start(
                new ProcessBuilder(
                        asWritten(
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
    Ec2Root root = installedRoot();
    SystemdUnit unit = SystemdUnit.parse(root.at(INTERCEPT_UNIT));
    assertThat(unit.one("Service.User")).isEqualTo("root");
    Path logs = root.work("intercept");
    try (Netns instance = Netns.create()) {
      Ec2Root.Result enabled =
          inNetns(instance, asWritten(root, unit, unit.one("Service.ExecStart"), null, null, logs));
      assertThat(enabled.code()).as(enabled.output()).isZero();
      String rules = iptablesSave(instance);
      assertThat(rules)
          .contains("-A APPMESH_EGRESS -m owner --uid-owner 1337 -j RETURN")
          .contains("-A APPMESH_EGRESS -p tcp -m multiport --dports 9090 -j RETURN")
          .contains("-A APPMESH_EGRESS -p tcp -j REDIRECT --to-ports 15001")
          .contains(
              "-A APPMESH_INGRESS -p tcp -m multiport --dports 8080 -j REDIRECT --to-ports 15000");

      // ExecReload= (the startup script run again): the same rules, never removed in between
      Ec2Root.Result reloaded =
          inNetns(
              instance, asWritten(root, unit, unit.one("Service.ExecReload"), null, null, logs));
      assertThat(reloaded.code()).as(reloaded.output()).isZero();
      assertThat(iptablesSave(instance)).isEqualTo(rules);

      Ec2Root.Result disabled =
          inNetns(instance, asWritten(root, unit, unit.one("Service.ExecStop"), null, null, logs));
      assertThat(disabled.code()).as(disabled.output()).isZero();
      assertThat(iptablesSave(instance)).doesNotContain("APPMESH_");
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

  /**
   * {@code command} (an {@code Exec...=} line of {@code unit}) as systemd would run it, paths
   * mapped into {@code root}: with the unit's environment only, as its user and group (no privilege
   * gained: {@code NoNewPrivileges=}; its {@code CapabilityBoundingSet=}), in the file-system
   * sandbox of {@code ProtectSystem=strict}, {@code PrivateTmp=}, {@code ReadWritePaths=} and its
   * runtime and cache directories, with its {@code UMask=}.
   */
  private static List<String> asWritten(
      Ec2Root root,
      SystemdUnit unit,
      String command,
      @Nullable Path runtime,
      @Nullable Path cache,
      Path logs)
      throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", Ec2Root.SERVICE_PATH);
    for (String assignment : unit.all("Service.Environment")) {
      int equals = assignment.indexOf('=');
      env.put(assignment.substring(0, equals), mapped(root, assignment.substring(equals + 1)));
    }
    // EnvironmentFile= after Environment=: its values win; taken as they are (the user's)
    for (String line : Files.readAllLines(root.at(unit.one("Service.EnvironmentFile")))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int equals = line.indexOf('=');
        env.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    List<Path> writable = new ArrayList<>();
    if (runtime != null) {
      env.put("RUNTIME_DIRECTORY", runtime.toString());
      writable.add(runtime);
    }
    if (cache != null) {
      env.put("CACHE_DIRECTORY", cache.toString());
      writable.add(cache);
    }
    for (String path : unit.all("Service.ReadWritePaths")) {
      writable.add(Path.of(path.replaceFirst("^-", "")));
    }
    List<String> full = new ArrayList<>(List.of("env", "-i"));
    env.forEach((name, value) -> full.add(name + "=" + value));
    full.add("setpriv");
    String user = unit.one("Service.User");
    if (!user.equals("root")) {
      full.add("--reuid=" + id(root, "passwd", user));
      full.add("--regid=" + id(root, "group", unit.one("Service.Group")));
      full.add("--clear-groups");
    }
    if (unit.one("Service.NoNewPrivileges").equals("yes")) {
      full.add("--no-new-privs");
    }
    StringBuilder bounding = new StringBuilder("-all");
    for (String capability : unit.one("Service.CapabilityBoundingSet").split("\\s+", -1)) {
      if (!capability.isEmpty()) {
        bounding
            .append(",+")
            .append(capability.replaceFirst("^CAP_", "").toLowerCase(java.util.Locale.ROOT));
      }
    }
    full.add("--bounding-set=" + bounding);
    SystemdUnit.words(command).forEach(word -> full.add(mapped(root, word)));
    String umask = unit.all("Service.UMask").stream().findFirst().orElse("0022");
    Path tmp = Ec2Root.privateTmp(logs.resolve("tmp-" + System.nanoTime()));
    return Ec2Root.sandbox(tmp, writable, umask, full);
  }

  /** A path of the installed system (/opt, /etc, /run, /var) as it is under the test's root. */
  private static String mapped(Ec2Root root, String value) {
    return value.matches("^/(opt|etc|run|var)/.*") ? root.at(value).toString() : value;
  }

  private static Ec2Root.Result verify(Ec2Root root, String... units) throws IOException {
    List<String> command =
        new ArrayList<>(List.of("systemd-analyze", "verify", "--root=" + root.path()));
    command.addAll(List.of(units));
    return Ec2Root.run(command, 60);
  }

  private static Ec2Root.Result inNetns(Netns netns, List<String> command) throws Exception {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns.name()));
    full.addAll(command);
    return Ec2Root.run(full, 120);
  }

  private static String iptablesSave(Netns netns) throws Exception {
    Ec2Root.Result saved = inNetns(netns, List.of("iptables-save", "-t", "nat"));
    assertThat(saved.code()).as(saved.output()).isZero();
    // without the comments (a time stamp) and with the packet counters zeroed
    return saved
        .output()
        .lines()
        .filter(line -> !line.startsWith("#"))
        .map(line -> line.replaceAll("\\[\\d+:\\d+\\]", "[0:0]"))
        .reduce("", (a, b) -> a + b + "\n");
  }

  /** The numeric id of {@code name} in the root's {@code /etc/passwd} or {@code /etc/group}. */
  private static int id(Ec2Root root, String database, String name) throws IOException {
    return Files.readAllLines(root.at("/etc/" + database)).stream()
        .filter(line -> line.startsWith(name + ":"))
        .map(line -> Integer.parseInt(line.split(":", -1)[2]))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + database));
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

  private static Ec2Root installedRoot() {
    return Objects.requireNonNull(installed);
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int read; (read = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
