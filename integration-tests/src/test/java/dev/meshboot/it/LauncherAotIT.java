package dev.meshboot.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import dev.meshboot.testing.Wait;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/meshboot run} trains, once per jar, an AOT cache for the long-running supervisor of
 * its own (not the renderer's, which holds the protobuf schema's classes), and starts the
 * supervisor with it. A launch that finds a cache missing starts at once without it and trains it
 * in the background (issue #15); the next launch starts with it.
 */
class LauncherAotIT {

  private static final String BACKGROUND = "they are trained in the background";

  @Test
  void runTrainsTheSupervisorsOwnCacheOnceAndStartsWithIt(@TempDir Path tmp) throws Exception {
    Path cache = tmp.resolve("cache");
    Path envoy = standIn(tmp);

    String first = run(tmp, cache, envoy, "");
    assertThat(first)
        .contains(BACKGROUND)
        .as("the first start does not wait for the training, and runs without the cache")
        .doesNotContain("creating the")
        .doesNotContain("-XX:AOTCache=")
        .contains("envoy exited cleanly");
    awaitTrainings(cache, 1);
    assertThat(background(cache)).contains("creating the supervisor's AOT cache");
    List<Path> caches = runCaches(cache);
    assertThat(caches).hasSize(1);
    assertThat(Files.readString(cache.resolve("training-run-relay.log")))
        .contains("AOTCache creation is complete");

    String second = run(tmp, cache, envoy, "");
    assertThat(second)
        .doesNotContain(BACKGROUND)
        .doesNotContain("[error][aot]")
        .contains("-XX:AOTCache=" + caches.get(0))
        .contains("envoy exited cleanly");
    assertThat(runCaches(cache)).isEqualTo(caches);
    assertThat(background(cache)).as("trained once").containsOnlyOnce("creating the supervisor's");
  }

  /**
   * A first launch on a new machine does not wait for the trainings: {@code meshboot version} on a
   * fresh cache directory finishes (its output read to the end, as a caller's pipe is) in a
   * fraction of the time the same launch takes when it waits for them (MESHBOOT_AOT=wait, measured
   * here), the cache appears afterwards and the next launch opens it. {@code bootstrap -o -}'s
   * output on a fresh directory is byte for byte that of a launch without caches.
   */
  @Test
  void aFirstLaunchStartsWithoutWaitingAndTheNextUsesTheCache(@TempDir Path tmp) throws Exception {
    Path envoy = standIn(tmp);
    Map<String, String> waiting = new HashMap<>(bootstrapEnvironment(tmp, tmp.resolve("w"), envoy));
    waiting.put("MESHBOOT_AOT", "wait");
    long start = System.nanoTime();
    assertThat(launched(waiting, "version").stderr()).contains("creating the AOT cache");
    Duration trained = Duration.ofNanos(System.nanoTime() - start);

    Path cache = tmp.resolve("cache");
    Map<String, String> environment = bootstrapEnvironment(tmp, cache, envoy);
    start = System.nanoTime();
    Launched first = launched(environment, "version");
    Duration untrained = Duration.ofNanos(System.nanoTime() - start);
    assertThat(first.stdout()).startsWith("meshboot ");
    assertThat(first.stderr()).contains(BACKGROUND).doesNotContain("creating");
    assertThat(untrained)
        .as(
            "a first launch that does not wait (%s against %s with the training)",
            untrained, trained)
        .isLessThan(trained.dividedBy(3));
    awaitTrainings(cache, 1);
    Path renderer = rendererCache(cache);

    Path aotLog = tmp.resolve("aot.log");
    Map<String, String> logging = new HashMap<>(environment);
    logging.put("JAVA_TOOL_OPTIONS", "-Xlog:aot=info:file=" + aotLog);
    assertThat(launched(logging, "version").stderr()).doesNotContain(BACKGROUND);
    assertThat(Files.readString(aotLog)).contains("Opened AOT cache " + renderer);

    Map<String, String> off = new HashMap<>(environment);
    off.put("MESHBOOT_AOT", "0");
    String expected = launched(off, "bootstrap", "-o", "-").stdout();
    assertThat(expected).contains(RunIT.ARN);
    Map<String, String> fresh = new HashMap<>(bootstrapEnvironment(tmp, tmp.resolve("f"), envoy));
    Launched bootstrap = launched(fresh, "bootstrap", "-o", "-");
    assertThat(bootstrap.stderr()).contains(BACKGROUND);
    assertThat(bootstrap.stdout()).isEqualTo(expected);
    awaitTrainings(tmp.resolve("f"), 1);
  }

  /**
   * Launches that start together on a fresh cache directory, each finding the cache missing: one
   * background training trains it, the other sees it under way (flock) and leaves it alone.
   */
  @Test
  void simultaneousFirstLaunchesStartOneBackgroundTraining(@TempDir Path tmp) throws Exception {
    Path cache = Files.createDirectory(tmp.resolve("cache"));
    Map<String, String> environment = bootstrapEnvironment(tmp, cache, standIn(tmp));
    List<Process> launches = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      launches.add(bootstrap(tmp, environment, i));
    }
    for (int i = 1; i <= 2; i++) {
      assertThat(finish(launches.get(i - 1), tmp, i)).contains(BACKGROUND);
    }
    awaitTrainings(cache, 2);
    assertThat(background(cache))
        .containsOnlyOnce("creating the AOT cache")
        .doesNotContain("training failed");
    rendererCache(cache);
    try (Stream<Path> files = Files.list(cache)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .noneMatch(name -> name.endsWith(".failed") || name.startsWith(".training-"));
    }
  }

  /**
   * A training killed from outside (the OOM killer in a container's memory limit, the unit or
   * container stopped) says nothing about the jar and the options: it leaves no failure marker, and
   * the next launch trains again.
   */
  @Test
  void aKilledTrainingIsNotMarkedAsFailed(@TempDir Path tmp) throws Exception {
    Path cache = tmp.resolve("cache");
    Map<String, String> environment = new HashMap<>(bootstrapEnvironment(tmp, cache, standIn(tmp)));
    environment.put("MESHBOOT_AOT", "wait");
    Process launch = bootstrap(tmp, environment, 1);
    String training = "-XX:AOTCacheOutput=" + cache.resolve(".training-");
    Wait.until(
        "the training JVM",
        Duration.ofMinutes(1),
        () ->
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains(training))
                    .peek(ProcessHandle::destroyForcibly)
                    .count()
                > 0);
    assertThat(finish(launch, tmp, 1)).contains("training was stopped (exit 137)");
    try (Stream<Path> files = Files.list(cache)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .noneMatch(name -> name.endsWith(".failed"));
    }
    environment.remove("MESHBOOT_AOT");
    assertThat(finish(bootstrap(tmp, environment, 2), tmp, 2)).contains(BACKGROUND);
    awaitTrainings(cache, 1);
    rendererCache(cache);
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
    assertThat(run(tmp, cache, envoy, "")).contains(BACKGROUND);
    awaitTrainings(cache, 1);
    assertThat(background(cache)).contains("creating the supervisor's AOT cache (relay)");
    String direct = run(tmp, cache, envoy, "", Map.of("APPMESH_XDS_ENDPOINT", "127.0.0.1:1"));
    assertThat(direct).contains(BACKGROUND);
    awaitTrainings(cache, 2);
    assertThat(background(cache)).contains("creating the supervisor's AOT cache (direct)");
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
        .doesNotContain(BACKGROUND)
        .contains("-XX:AOTCache=" + directCache);
    assertThat(run(tmp, cache, envoy, "")).doesNotContain(BACKGROUND);
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
        .contains(BACKGROUND);
    awaitTrainings(cache, 1);
    assertThat(run(tmp, cache, envoy, "", mesh))
        .contains(BACKGROUND)
        .contains("mesh control plane serving");
    awaitTrainings(cache, 2);
    assertThat(background(cache))
        .contains("creating the supervisor's AOT cache (direct)")
        .contains("creating the supervisor's AOT cache (mesh)");
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
        .doesNotContain(BACKGROUND)
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
      awaitTrainings(cache, 1);
    }
    assertThat(outputs.get(0)).contains(BACKGROUND).contains(": valid: 1 mesh");
    assertThat(background(cache)).contains("creating the control plane's AOT cache");
    assertThat(outputs.get(1)).doesNotContain(BACKGROUND).contains(": valid: 1 mesh");
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
    assertThat(output).doesNotContain("[error][aot]").contains("envoy exited cleanly");
    awaitTrainings(cache, 1);
    assertThat(background(cache)).contains("meshboot: AOT cache training failed");
    assertThat(run(tmp, cache, envoy, "-Xms2m"))
        .as("not trained again")
        .doesNotContain(BACKGROUND)
        .doesNotContain("[error][aot]");
  }

  /**
   * Two first launches at once on one cache directory (two containers on a shared volume, two
   * systemd units), each the first process of its own PID namespace, so that both launchers have
   * the same PID, and each waiting for the training (MESHBOOT_AOT=wait: a launch that does not wait
   * is PID 1's, whose background training ends with it): one trains the renderer's cache, neither
   * takes away the other's output or marks the cache as failed, and the next launch starts with it.
   */
  @Test
  void simultaneousFirstLaunchesWithTheSamePidTrainOneCacheAndMarkNoFailure(@TempDir Path tmp)
      throws Exception {
    Path cache = Files.createDirectory(tmp.resolve("cache"));
    Path envoy = standIn(tmp);
    Map<String, String> environment = new HashMap<>(bootstrapEnvironment(tmp, cache, envoy));
    environment.put("MESHBOOT_AOT", "wait");
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
    assertThat(launch(launcher, systemd, out)).contains(BACKGROUND);
    assertThat(out).isNotEmptyFile();
    awaitTrainings(cache, 1);
    rendererCache(cache);
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

  /** The output of a {@code bin/meshboot} launch that succeeded. */
  private record Launched(String stdout, String stderr) {}

  /** Runs {@code bin/meshboot ARGS} to its end, its stdout and stderr read to their ends. */
  private static Launched launched(Map<String, String> environment, String... arguments)
      throws Exception {
    Path jar = Path.of(System.getProperty("meshboot.jar")).toAbsolutePath().normalize();
    List<String> command = new ArrayList<>();
    command.add(jar.getParent().getParent().getParent().resolve("bin/meshboot").toString());
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(environment);
    Process process = builder.start();
    var stderr = CompletableFuture.supplyAsync(() -> readAll(process, true));
    String stdout = readAll(process, false);
    String errors = stderr.get(120, TimeUnit.SECONDS);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(errors).isTrue();
    assertThat(process.exitValue()).as(errors).isZero();
    return new Launched(stdout, errors);
  }

  private static String readAll(Process process, boolean errors) {
    try {
      return new String(
          (errors ? process.getErrorStream() : process.getInputStream()).readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the background trainings on {@code cache} logged. */
  private static String background(Path cache) throws IOException {
    return Files.readString(cache.resolve("training-background.log"));
  }

  /** Waits until {@code launches} background trainings on {@code cache} have ended. */
  private static void awaitTrainings(Path cache, int launches) throws Exception {
    Path log = cache.resolve("training-background.log");
    Wait.until(
        launches + " background trainings in " + cache,
        Duration.ofMinutes(2),
        () ->
            Files.exists(log)
                && Files.readString(log).split("AOT trainings for", -1).length > launches);
  }

  /** The renderer's cache in {@code cache}, the one there is. */
  private static Path rendererCache(Path cache) throws IOException {
    try (Stream<Path> files = Files.list(cache)) {
      List<Path> caches =
          files
              .filter(file -> file.getFileName().toString().matches("meshboot-[0-9].*\\.aot"))
              .toList();
      assertThat(caches).hasSize(1);
      return caches.get(0);
    }
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
