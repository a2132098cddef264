package dev.meshboot.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/meshboot run} trains, once per jar, an AOT cache for the long-running supervisor of
 * its own (not the renderer's, which holds the protobuf schema's classes), and starts the
 * supervisor with it.
 */
class LauncherAotIT {

  @Test
  void runTrainsTheSupervisorsOwnCacheOnceAndStartsWithIt(@TempDir Path tmp) throws Exception {
    Path cache = tmp.resolve("cache");
    Path envoy = standIn(tmp);

    String first = run(tmp, cache, envoy, "");
    assertThat(first).contains("creating the supervisor's AOT cache");
    List<Path> caches = runCaches(cache);
    assertThat(caches).hasSize(1);
    assertThat(Files.readString(cache.resolve("training-run-relay.log")))
        .contains("AOTCache creation is complete");

    String second = run(tmp, cache, envoy, "");
    assertThat(second)
        .doesNotContain("creating the supervisor's AOT cache")
        .doesNotContain("[error][aot]")
        .contains("-XX:AOTCache=" + caches.get(0))
        .contains("envoy exited cleanly");
    assertThat(runCaches(cache)).isEqualTo(caches);
  }

  /**
   * A run without the relay gets a supervisor cache of its own, trained without the relay's classes
   * (an AOT cache loads every class it holds: ~10 MB resident), and neither mode's training removes
   * the other's cache.
   */
  @Test
  void runsWithoutTheRelayGetACacheWithoutTheRelaysClasses(@TempDir Path tmp) throws Exception {
    Path cache = tmp.resolve("cache");
    Path envoy = standIn(tmp);
    assertThat(run(tmp, cache, envoy, "")).contains("creating the supervisor's AOT cache (relay)");
    String direct = run(tmp, cache, envoy, "", Map.of("APPMESH_XDS_ENDPOINT", "127.0.0.1:1"));
    assertThat(direct).contains("creating the supervisor's AOT cache (direct)");
    List<Path> caches = runCaches(cache);
    assertThat(caches)
        .extracting(path -> path.getFileName().toString().replaceAll("-[0-9].*", ""))
        .containsExactlyInAnyOrder("meshboot-run-relay", "meshboot-run-direct");
    Path directCache =
        caches.stream()
            .filter(path -> path.toString().contains("-direct-"))
            .findFirst()
            .orElseThrow();
    assertThat(run(tmp, cache, envoy, "", Map.of("APPMESH_XDS_ENDPOINT", "127.0.0.1:1")))
        .doesNotContain("creating")
        .contains("-XX:AOTCache=" + directCache);
    assertThat(run(tmp, cache, envoy, "")).doesNotContain("creating");
    assertThat(runCaches(cache)).containsExactlyInAnyOrderElementsOf(caches);
  }

  /**
   * A run that embeds the control plane ({@code MESHBOOT_MESH}) gets a supervisor cache trained
   * with a mesh (loading, checking and translating load classes no other run does), and uses it the
   * next time; the other modes' caches stay.
   */
  @Test
  void runsThatEmbedTheControlPlaneGetACacheOfTheirOwn(@TempDir Path tmp) throws Exception {
    Path cache = tmp.resolve("cache");
    Path envoy = standIn(tmp);
    Path root =
        Path.of(System.getProperty("meshboot.jar")).toAbsolutePath().normalize().getParent();
    Map<String, String> mesh =
        Map.of(
            "MESHBOOT_MESH",
            root.getParent().getParent().resolve("bin/lib/training/mesh").toString(),
            "APPMESH_RESOURCE_ARN",
            "mesh/training/virtualNode/node",
            "MESHBOOT_MESH_SOCKET",
            tmp.resolve("mesh.sock").toString());
    assertThat(run(tmp, cache, envoy, "", Map.of("APPMESH_XDS_ENDPOINT", "127.0.0.1:1")))
        .contains("creating the supervisor's AOT cache (direct)");
    assertThat(run(tmp, cache, envoy, "", mesh))
        .contains("creating the supervisor's AOT cache (mesh)")
        .contains("mesh control plane serving");
    List<Path> caches = runCaches(cache);
    assertThat(caches)
        .extracting(path -> path.getFileName().toString().replaceAll("-[0-9].*", ""))
        .containsExactlyInAnyOrder("meshboot-run-direct", "meshboot-run-mesh");
    Path meshCache =
        caches.stream()
            .filter(path -> path.toString().contains("-mesh-"))
            .findFirst()
            .orElseThrow();
    assertThat(run(tmp, cache, envoy, "", mesh))
        .doesNotContain("creating")
        .contains("-XX:AOTCache=" + meshCache);
  }

  /**
   * The mesh commands get a cache of their own, trained by {@code mesh render} (the Envoy API's
   * classes that translating loads), used from the next launch on.
   */
  @Test
  void theMeshCommandsGetACacheOfTheirOwn(@TempDir Path tmp) throws Exception {
    Path cache = tmp.resolve("cache");
    Path jar = Path.of(System.getProperty("meshboot.jar")).toAbsolutePath().normalize();
    Path root = jar.getParent().getParent().getParent();
    List<String> validate =
        List.of(
            root.resolve("bin/meshboot").toString(),
            "mesh",
            "validate",
            root.resolve("bin/lib/training/mesh").toString());
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ProcessBuilder builder = new ProcessBuilder(validate).redirectErrorStream(true);
      builder.environment().clear();
      builder
          .environment()
          .putAll(
              Map.of(
                  "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                  "HOME", tmp.toString(),
                  "MESHBOOT_JAR", jar.toString(),
                  "MESHBOOT_JAVA_HOME", ReleaseJava.home().toString(),
                  "MESHBOOT_CACHE_DIR", cache.toString()));
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), UTF_8);
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
      assertThat(process.exitValue()).as(output).isZero();
      outputs.add(output);
    }
    assertThat(outputs.get(0)).contains("creating the control plane's AOT cache");
    assertThat(outputs.get(1)).doesNotContain("creating").contains(": valid: 1 mesh");
    try (var files = Files.list(cache)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .anyMatch(name -> name.matches("meshboot-mesh-.*\\.aot"));
    }
  }

  @Test
  void optionsACacheCannotBeUsedWithLeaveItOut(@TempDir Path tmp) throws Exception {
    // An initial heap below what the renderer's cache's archived objects need: a JVM started with
    // it stops at once. The launcher checks each cache it trains and runs without one that fails.
    Path cache = tmp.resolve("cache");
    Path envoy = standIn(tmp);
    String output = run(tmp, cache, envoy, "-Xms2m");
    assertThat(output)
        .contains("meshboot: AOT cache training failed")
        .doesNotContain("[error][aot]")
        .contains("envoy exited cleanly");
    assertThat(run(tmp, cache, envoy, "-Xms2m")).as("not trained again").doesNotContain("creating");
  }

  /**
   * Two first launches at once on one cache directory (two containers on a shared volume, two
   * systemd units), each the first process of its own PID namespace, so that both launchers have
   * the same PID: one trains the renderer's cache, neither takes away the other's output or marks
   * the cache as failed, and the next launch starts with it.
   */
  @Test
  void simultaneousFirstLaunchesWithTheSamePidTrainOneCacheAndMarkNoFailure(@TempDir Path tmp)
      throws Exception {
    Path cache = Files.createDirectory(tmp.resolve("cache"));
    Path envoy = standIn(tmp);
    Map<String, String> environment = bootstrapEnvironment(tmp, cache, envoy);
    List<Process> launches = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      launches.add(
          bootstrap(
              tmp, environment, i, "unshare", "--pid", "--fork", "--mount-proc", "--kill-child"));
    }
    List<String> outputs = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      outputs.add(finish(launches.get(i - 1), tmp, i));
    }
    assertThat(String.join("", outputs))
        .doesNotContain("training failed")
        .doesNotContain("[error][aot]");
    List<String> names;
    try (Stream<Path> files = Files.list(cache)) {
      names = files.map(file -> file.getFileName().toString()).toList();
    }
    assertThat(names)
        .as("no failure marker and no training left behind")
        .noneMatch(name -> name.endsWith(".failed"))
        .noneMatch(name -> name.contains("training-") || name.contains(".tmp-"));
    List<String> caches = names.stream().filter(n -> n.matches("meshboot-[0-9].*\\.aot")).toList();
    assertThat(caches).hasSize(1);
    Path renderer = cache.resolve(caches.get(0));

    // JAVA_TOOL_OPTIONS leaves the cache's key alone (MESHBOOT_JAVA_OPTS is part of it); the
    // launcher sends the JVM's stdout and stderr logs elsewhere, not this file.
    Path aotLog = tmp.resolve("aot-3.log");
    Map<String, String> logging = new HashMap<>(environment);
    logging.put("JAVA_TOOL_OPTIONS", "-Xlog:aot=info:file=" + aotLog);
    String third = finish(bootstrap(tmp, logging, 3), tmp, 3);
    assertThat(third).doesNotContain("creating").doesNotContain("[error][aot]");
    assertThat(Files.readString(aotLog)).contains("Opened AOT cache " + renderer);
    String rendered = Files.readString(tmp.resolve("envoy-3.json"));
    assertThat(JsonParser.parseString(rendered).getAsJsonObject().getAsJsonObject("node"))
        .extracting(node -> node.get("id").getAsString())
        .isEqualTo(RunIT.ARN);
    for (int i = 1; i <= 2; i++) {
      assertThat(tmp.resolve("envoy-" + i + ".json")).hasContent(rendered);
    }
    assertThat(String.join("", outputs))
        .as("one training at a time (flock): the other launch starts without the cache")
        .containsOnlyOnce("creating the AOT cache");
  }

  /** The environment of a {@code bin/meshboot bootstrap} with the stand-in Envoy. */
  private static Map<String, String> bootstrapEnvironment(Path tmp, Path cache, Path envoy) {
    Path jar = Path.of(System.getProperty("meshboot.jar")).toAbsolutePath().normalize();
    return Map.of(
        "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
        "HOME", tmp.toString(),
        "MESHBOOT_JAR", jar.toString(),
        "MESHBOOT_JAVA_HOME", ReleaseJava.home().toString(),
        "MESHBOOT_CACHE_DIR", cache.toString(),
        "ENVOY_BIN", envoy.toString(),
        "APPMESH_RESOURCE_ARN", RunIT.ARN,
        "AWS_REGION", "us-west-2");
  }

  /**
   * Starts {@code bin/meshboot bootstrap -o envoy-N.json} (under {@code wrapper}), its output in
   * run-N.log.
   */
  private static Process bootstrap(
      Path tmp, Map<String, String> environment, int n, String... wrapper) throws IOException {
    Path jar = Path.of(System.getProperty("meshboot.jar")).toAbsolutePath().normalize();
    List<String> command = new ArrayList<>(List.of(wrapper));
    command.add(jar.getParent().getParent().getParent().resolve("bin/meshboot").toString());
    command.addAll(List.of("bootstrap", "-o", tmp.resolve("envoy-" + n + ".json").toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("run-" + n + ".log").toFile());
    builder.environment().clear();
    builder.environment().putAll(environment);
    return builder.start();
  }

  /** Waits for launch N, which must succeed, and returns its output. */
  private static String finish(Process process, Path tmp, int n) throws Exception {
    boolean done = process.waitFor(120, TimeUnit.SECONDS);
    if (!done) {
      process.destroyForcibly();
    }
    String output = Files.readString(tmp.resolve("run-" + n + ".log"));
    assertThat(done).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  /**
   * systemd units, {@code env -i} and some init systems start meshboot without HOME (or PATH): with
   * nothing but the contract's variables the launcher runs without caches, and with systemd's
   * CacheDirectory= (CACHE_DIRECTORY) it keeps them there.
   */
  @Test
  void worksWithOnlyTheContractsVariablesAndUsesSystemdsCacheDirectory(@TempDir Path tmp)
      throws Exception {
    Path jar = Path.of(System.getProperty("meshboot.jar")).toAbsolutePath().normalize();
    Path launcher = jar.getParent().getParent().getParent().resolve("bin/meshboot");
    Path out = tmp.resolve("envoy.json");
    Map<String, String> contract =
        Map.of(
            "APPMESH_RESOURCE_ARN",
            RunIT.ARN,
            "AWS_REGION",
            "us-west-2",
            "MESHBOOT_JAVA_HOME",
            ReleaseJava.home().toString());
    String bare = launch(launcher, contract, out);
    assertThat(bare).doesNotContain("unbound variable").doesNotContain("creating the AOT cache");
    assertThat(out).isNotEmptyFile();
    // The C locale (no LANG): a path with a non-ASCII character still works.
    Path accented = tmp.resolve("envoy-bootstrap-\u00e9t\u00e9.json");
    launch(launcher, contract, accented);
    assertThat(accented).isNotEmptyFile();

    Path cache = tmp.resolve("systemd-cache");
    Files.createDirectory(cache);
    Map<String, String> systemd = new java.util.HashMap<>(contract);
    systemd.put("CACHE_DIRECTORY", cache + ":" + tmp.resolve("second"));
    Files.delete(out);
    assertThat(launch(launcher, systemd, out)).contains("creating the AOT cache");
    assertThat(out).isNotEmptyFile();
    try (Stream<Path> files = Files.list(cache)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .anyMatch(name -> name.matches("meshboot-.*\\.aot"));
    }
  }

  private static String launch(Path launcher, Map<String, String> environment, Path out)
      throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(launcher.toString(), "bootstrap", "-o", out.toString())
            .redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  /** Stands in for Envoy: tells how its parent, the supervisor, was started, and exits at once. */
  private static Path standIn(Path tmp) throws IOException {
    Path envoy = tmp.resolve("envoy");
    Files.writeString(
        envoy,
        """
        #!/bin/sh
        [ "$1" = --version ] && echo "$0  version: \
        0000000000000000000000000000000000000000/1.40.0/Clean/RELEASE/BoringSSL" && exit 0
        echo "supervisor: $(tr '\\0' ' ' < /proc/$PPID/cmdline)" >&2
        exit 0
        """);
    Files.setPosixFilePermissions(envoy, PosixFilePermissions.fromString("rwx------"));
    return envoy;
  }

  private static List<Path> runCaches(Path cache) throws IOException {
    try (Stream<Path> files = Files.list(cache)) {
      return files
          .filter(file -> file.getFileName().toString().matches("meshboot-run-.*\\.aot"))
          .toList();
    }
  }

  private static String run(Path tmp, Path cache, Path envoy, String javaOptions) throws Exception {
    return run(tmp, cache, envoy, javaOptions, Map.of());
  }

  private static String run(
      Path tmp, Path cache, Path envoy, String javaOptions, Map<String, String> extra)
      throws Exception {
    Path jar = Path.of(System.getProperty("meshboot.jar")).toAbsolutePath().normalize();
    Path root = jar.getParent().getParent().getParent();
    Path log = Files.createTempFile(tmp, "run", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(root.resolve("bin/meshboot").toString(), "run")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().clear();
    builder
        .environment()
        .putAll(
            Map.ofEntries(
                Map.entry("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")),
                Map.entry("HOME", tmp.toString()),
                Map.entry("MESHBOOT_JAR", jar.toString()),
                Map.entry("MESHBOOT_JAVA_HOME", ReleaseJava.home().toString()),
                Map.entry("MESHBOOT_CACHE_DIR", cache.toString()),
                Map.entry("MESHBOOT_JAVA_OPTS", javaOptions),
                Map.entry("ENVOY_BIN", envoy.toString()),
                Map.entry("APPMESH_RESOURCE_ARN", RunIT.ARN),
                Map.entry("AWS_REGION", "us-west-2"),
                Map.entry("AWS_ACCESS_KEY_ID", "AKIDTEST"),
                Map.entry("AWS_SECRET_ACCESS_KEY", "test-secret"),
                Map.entry("AWS_EC2_METADATA_DISABLED", "true"),
                Map.entry("MESHBOOT_STS_ENDPOINT", "http://127.0.0.1:1"),
                Map.entry("MESHBOOT_XDS_RELAY_SOCKET", tmp.resolve("relay.sock").toString()),
                Map.entry("APPNET_AGENT_ADMIN_MODE", "uds"),
                Map.entry("APPNET_AGENT_ADMIN_UDS_PATH", tmp.resolve("api.sock").toString()),
                Map.entry("ENVOY_ADMIN_MODE", "uds"),
                Map.entry("ENVOY_ADMIN_UDS_PATH", tmp.resolve("admin.sock").toString()),
                Map.entry("MESHBOOT_BOOTSTRAP_PATH", tmp.resolve("envoy.json").toString())));
    builder.environment().putAll(extra);
    Process process = builder.start();
    boolean done = process.waitFor(120, TimeUnit.SECONDS);
    String output = Files.readString(log);
    assertThat(done).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
