package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
            System.getProperty("java.home"));
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
                Map.entry("MESHBOOT_JAVA_HOME", System.getProperty("java.home")),
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
