package dev.meshboot.it;

import static dev.meshboot.it.ImageContainer.cmdline;
import static dev.meshboot.it.ImageContainer.envoy;
import static dev.meshboot.it.ImageContainer.inspect;
import static dev.meshboot.it.ImageContainer.memoryLimitAndPeak;
import static dev.meshboot.it.ImageContainer.status;
import static dev.meshboot.it.ImageContainer.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.meshboot.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image (images/, jib:buildTar) run with the real podman and runc the way ECS runs
 * it: an env file naming the workshop mesh's {@code frontend} node and a control plane ({@code
 * meshboot mesh serve}) on 127.0.0.1 of a {@link Netns} the test creates and the container joins, a
 * read-only root with a tmpfs at /tmp (bootstrap, sockets), 128 MB of memory and one CPU.
 */
class ImageIT {

  @RegisterExtension static final ImagePod POD = new ImagePod();

  private static final Path PLATFORMS =
      ImageContainer.WORKSHOP.getParent().resolveSibling("platforms");
  private static final String NODE = ImageContainer.NODE;
  private static final int XDS = ImageContainer.XDS;
  private static final String SUPERVISOR_CACHE = "/opt/meshboot/lib/image/supervisor.aot";
  private static final String LAUNCHER = "/opt/meshboot/bin/meshboot";

  private final ImageContainer containers = new ImageContainer();

  @AfterEach
  void stop() throws Exception {
    containers.stop();
  }

  @Test
  void startsFromAnEnvFileBecomesReadyAndHealthyAndStopsCleanly(@TempDir Path tmp)
      throws Exception {
    String name = start(tmp, List.of());
    long pid1 = Podman.pid(name);

    // the healthcheck is the image's: exec form, no shell, meshboot healthcheck
    JsonObject config = inspect(name).getAsJsonObject("Config");
    JsonArray healthcheck = config.getAsJsonObject("Healthcheck").getAsJsonArray("Test");
    assertThat(healthcheck.get(0).getAsString()).isEqualTo("CMD");
    assertThat(healthcheck.get(healthcheck.size() - 1).getAsString()).isEqualTo("healthcheck");
    Podman.Result health = Podman.run(Duration.ofSeconds(30), "healthcheck", "run", name);
    assertThat(health.exitCode()).as("podman healthcheck run: %s", health.output()).isZero();
    // and the task definitions' ["CMD", "meshboot", "healthcheck"]: the image's native launcher
    // (answered without a JVM on the management API's socket: the same body and verdict as the
    // JVM's, which answers when given any argument)
    String launcher = Podman.ok("exec", name, "meshboot", "healthcheck");
    String jvm = Podman.ok("exec", name, "meshboot", "healthcheck", "--stacktrace");
    assertThat(launcher).contains("\"healthStatus\": \"HEALTHY\"");
    assertThat(jvm).contains("\"healthStatus\": \"HEALTHY\"");
    for (String socket : List.of("/tmp/none.sock", "relative.sock")) {
      for (List<String> probe :
          List.of(List.of("healthcheck"), List.of("healthcheck", "--stacktrace"))) {
        List<String> exec =
            new ArrayList<>(
                List.of("exec", "-e", "APPNET_AGENT_ADMIN_UDS_PATH=" + socket, name, "meshboot"));
        exec.addAll(probe);
        Podman.Result unanswered = Podman.run(Duration.ofSeconds(30), exec.toArray(String[]::new));
        assertThat(unanswered.exitCode()).as("%s: %s", exec, unanswered.output()).isNotZero();
      }
    }
    // MESHBOOT_JAVA_OPTS after the launcher's heap ceiling, as bin/meshboot passes it
    assertThat(
            Podman.ok(
                "exec",
                "-e",
                "MESHBOOT_JAVA_OPTS=-Xmx48m -XX:+PrintCommandLineFlags",
                name,
                "meshboot",
                "version"))
        .contains("-XX:MaxHeapSize=50331648");

    // meshboot is PID 1 and, like Envoy, runs as App Mesh's proxy user
    assertThat(status(pid1)).contains("NSpid:\t" + pid1 + "\t1\n").contains("Uid:\t1337\t");
    ProcessHandle envoy = envoy(pid1).orElseThrow();
    assertThat(status(envoy.pid())).contains("Uid:\t1337\t");
    // the supervisor started with the AOT cache trained at build time (a cache the JVM rejects is
    // unmapped again), and no JVM of the container complained about its cache
    assertThat(Files.readString(Path.of("/proc", Long.toString(pid1), "maps")))
        .contains(SUPERVISOR_CACHE);
    // Envoy's concurrency from the container's CPU quota (--cpus 1), not the host's cores
    assertThat(Files.readString(Path.of("/proc", Long.toString(envoy.pid()), "cmdline")))
        .contains("--concurrency\u00001\u0000");
    // the heap follows the container's memory limit: a quarter of 128 MB, not bin/meshboot's 64 MB
    assertThat(Files.readString(Path.of("/proc", Long.toString(pid1), "cmdline")))
        .contains("\u0000-Xmx32m\u0000");
    // the image's JVM sees the container's limits
    assertThat(
            Podman.ok(
                "exec", name, "/opt/meshboot/jre/bin/java", "-XshowSettings:system", "-version"))
        .contains("Effective CPU Count: 1")
        .contains("Memory Limit: 128.00M");
    // the memory limit holds and nothing was OOM-killed on the way up
    long[] memory = memoryLimitAndPeak(pid1);
    assertThat(memory[0]).isEqualTo(128L << 20);
    long peak = memory[1];
    assertThat(peak).as("peak memory of the container").isLessThan(128L << 20);
    System.out.printf("ImageIT: peak memory of the container while starting: %d MiB%n", peak >> 20);

    // podman stop: SIGTERM, meshboot drains Envoy (LISTENER_DRAIN_WAIT_TIME_S=5) and exits 0,
    // well within the stop timeout, before podman would send SIGKILL
    long stopping = System.nanoTime();
    Podman.ok("stop", "-t", "30", name);
    Duration took = Duration.ofNanos(System.nanoTime() - stopping);
    JsonObject state = inspect(name).getAsJsonObject("State");
    String logs = Podman.ok("logs", name);
    assertThat(state.get("ExitCode").getAsInt()).as(logs).isZero();
    assertThat(state.get("OOMKilled").getAsBoolean()).isFalse();
    assertThat(took).isLessThan(Duration.ofSeconds(30));
    assertThat(logs).contains("draining inbound listeners").doesNotContain("[aot]");
  }

  @Test
  void theEcsTaskDefinitionsSidecarRunsTheImageWithItsUserEnvironmentAndHealthCheck(
      @TempDir Path tmp) throws Exception {
    Path file = PLATFORMS.resolve("ecs/appmesh-service.json");
    JsonObject sidecar = null;
    for (JsonElement container :
        JsonParser.parseString(Files.readString(file))
            .getAsJsonObject()
            .getAsJsonArray("containerDefinitions")) {
      if (container.getAsJsonObject().get("name").getAsString().equals("envoy")) {
        sidecar = container.getAsJsonObject();
      }
    }
    assertThat(sidecar).as("the envoy container of %s", file).isNotNull();
    Map<String, String> environment = new LinkedHashMap<>();
    for (JsonElement variable : sidecar.getAsJsonArray("environment")) {
      environment.put(
          variable.getAsJsonObject().get("name").getAsString(),
          variable.getAsJsonObject().get("value").getAsString());
    }
    // what only AWS has: the node is the workshop's, its control plane on the pod's loopback
    environment.put("APPMESH_RESOURCE_ARN", NODE);
    environment.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + XDS);
    // the task definition's user; its nofile ulimit is above what this machine lets podman set
    String name = start(tmp, environment, List.of("--user", sidecar.get("user").getAsString()));

    List<String> check = strings(sidecar.getAsJsonObject("healthCheck").getAsJsonArray("command"));
    assertThat(check.getFirst()).isEqualTo("CMD");
    List<String> exec = new ArrayList<>(List.of("exec", name));
    exec.addAll(check.subList(1, check.size()));
    Podman.Result health = Podman.run(Duration.ofSeconds(30), exec.toArray(String[]::new));
    assertThat(health.exitCode()).as("%s: %s", check, health.output()).isZero();
  }

  @Test
  void meshbootAsPid1ReapsAnOrphan(@TempDir Path tmp) throws Exception {
    Path classes =
        Path.of(ImageOrphan.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String name = start(tmp, List.of("-v", classes + ":/t:ro"));
    long pid1 = Podman.pid(name);

    Podman.ok(
        "exec",
        name,
        "/opt/meshboot/jre/bin/java",
        "-Xmx8m",
        "-cp",
        "/t",
        ImageOrphan.class.getName());
    // the orphan, reparented to PID 1 once its parent exited
    AtomicLong orphan = new AtomicLong();
    Wait.until(
        "the orphan reparented to meshboot",
        Duration.ofSeconds(5),
        () -> {
          Optional<ProcessHandle> found =
              ProcessHandle.of(pid1)
                  .orElseThrow()
                  .children()
                  .filter(child -> cmdline(child.pid()).contains("ImageOrphan\u0000sleep"))
                  .findFirst();
          found.ifPresent(child -> orphan.set(child.pid()));
          return found.isPresent();
        });
    assertThat(status(orphan.get())).contains("PPid:\t" + pid1 + "\n");
    // it exits after two seconds; a zombie would keep /proc/<pid> (state Z) until PID 1 reaps it
    Path proc = Path.of("/proc", Long.toString(orphan.get()));
    Wait.until("the orphan reaped by meshboot", Duration.ofSeconds(10), () -> !Files.exists(proc));
  }

  @Test
  void theImagesCachesLoadWithTheImagesOwnFlagsInAReadOnlyRoot() {
    JsonObject inspected =
        JsonParser.parseString(Podman.ok("image", "inspect", POD.image()))
            .getAsJsonArray()
            .get(0)
            .getAsJsonObject();
    JsonObject config = inspected.getAsJsonObject("Config");
    assertThat(config.get("User").getAsString()).isEqualTo("1337:1337");
    List<String> entrypoint = strings(config.getAsJsonArray("Entrypoint"));
    // podman shows an image's health check beside its Config (a container's inside it)
    List<String> healthcheck =
        strings(inspected.getAsJsonObject("Healthcheck").getAsJsonArray("Test"));
    // both through the image's launcher, which sizes the heap from the container's memory limit
    assertThat(entrypoint).containsExactly(LAUNCHER, "run");
    assertThat(healthcheck).containsExactly("CMD", LAUNCHER, "healthcheck");
    // the entrypoint's and the health check's JVMs, as the launcher starts them but told to stop
    // rather than run without their cache (-XX:AOTMode=on), in a read-only root with 128 MB
    for (String command : List.of("run", "healthcheck")) {
      List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none"));
      args.addAll(Podman.LIMITS);
      args.addAll(
          List.of(
              "--memory",
              "128m",
              "--read-only",
              "--read-only-tmpfs=false",
              "--env",
              "JAVA_TOOL_OPTIONS=-XX:AOTMode=on",
              "--entrypoint",
              LAUNCHER,
              POD.image(),
              command,
              "--help"));
      Podman.Result result = Podman.run(Duration.ofMinutes(1), args.toArray(String[]::new));
      assertThat(result.exitCode()).as("%s: %s", args, result.output()).isZero();
      assertThat(result.output())
          .contains("Picked up JAVA_TOOL_OPTIONS: -XX:AOTMode=on")
          .contains("Usage: meshboot " + command)
          .doesNotContain("[aot]");
    }
    // no shell: the entrypoint and health check are exec form, and nothing else can start one
    List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none"));
    args.addAll(Podman.LIMITS);
    args.addAll(List.of("--entrypoint", "/bin/sh", POD.image(), "-c", "true"));
    Podman.Result shell = Podman.run(Duration.ofMinutes(1), args.toArray(String[]::new));
    assertThat(shell.exitCode()).isNotZero();
    assertThat(shell.output()).contains("stat /bin/sh: no such file or directory");
  }

  /**
   * Starts {@code meshboot mesh serve} in the pod and the image in a container joining the pod's
   * network, with {@code extra} podman options; returns the container's name once Envoy is LIVE.
   */
  private String start(Path tmp, List<String> extra) throws Exception {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("APPMESH_RESOURCE_ARN", NODE);
    environment.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + XDS);
    environment.put("LISTENER_DRAIN_WAIT_TIME_S", "5");
    return start(tmp, environment, extra);
  }

  /** {@link #start(Path, List)} with the env file's {@code environment}. */
  private String start(Path tmp, Map<String, String> environment, List<String> extra)
      throws Exception {
    return containers.start(POD.netns(), POD.image(), tmp, environment, extra);
  }
}
