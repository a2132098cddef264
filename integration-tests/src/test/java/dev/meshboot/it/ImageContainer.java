package dev.meshboot.it;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.meshboot.testing.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The image run by {@link ImageIT} in a container joining a pod's network the way ECS runs it (an
 * env file, a read-only root with a tmpfs at /tmp, 128 MB of memory and one CPU) beside a control
 * plane ({@code meshboot mesh serve} of the workshop mesh) in the pod; and what the tests read of a
 * running container: podman's inspection, its processes' /proc files, its memory cgroup. {@link
 * #stop} removes what it started.
 */
final class ImageContainer {

  static final Path WORKSHOP =
      Path.of(System.getProperty("meshboot.examples"), "appmesh-workshop").toAbsolutePath();
  static final String NODE = "mesh/appmesh-workshop/virtualNode/frontend";
  static final int XDS = 9912;
  private static final int SERVE_ADMIN = 9911;
  private static final AtomicLong COUNT = new AtomicLong();

  private final MeshProcesses processes = new MeshProcesses();
  private final List<String> containers = new ArrayList<>();

  /**
   * Starts {@code meshboot mesh serve} in {@code netns} and {@code image} in a container joining
   * its network, with the env file's {@code environment} and {@code extra} podman options; returns
   * the container's name once Envoy is LIVE.
   */
  String start(
      Netns netns, String image, Path tmp, Map<String, String> environment, List<String> extra)
      throws Exception {
    Path serveLog = tmp.resolve("serve.log");
    Process serve =
        processes.meshboot(
            serveLog,
            Map.of(),
            netns,
            "mesh",
            "serve",
            WORKSHOP.toString(),
            "--admin",
            "127.0.0.1:" + SERVE_ADMIN,
            "--listen",
            "127.0.0.1:" + XDS);
    Local.waitUntil(
        serve,
        () -> MeshProcesses.page(netns, SERVE_ADMIN, "/ready").startsWith("ready"),
        serveLog,
        "mesh serve ready",
        Duration.ofSeconds(30));
    Path envFile = tmp.resolve("envoy.env");
    StringBuilder lines = new StringBuilder();
    environment.forEach(
        (variable, value) -> lines.append(variable).append('=').append(value).append('\n'));
    Files.writeString(envFile, lines.toString());
    String name = "meshboot-it-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet();
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "-d",
                "--name",
                name,
                "--network",
                "ns:/var/run/netns/" + netns.name(),
                "--env-file",
                envFile.toString(),
                "--read-only",
                "--read-only-tmpfs=false",
                "--tmpfs",
                "/tmp:rw,size=64m,mode=1777",
                "--memory",
                "128m",
                "--cpus",
                "1"));
    args.addAll(Podman.LIMITS);
    args.addAll(extra);
    args.add(image);
    containers.add(name);
    long started = System.nanoTime();
    Podman.ok(args.toArray(String[]::new));
    Wait.until(
        "Envoy in the container LIVE",
        Duration.ofSeconds(60),
        Duration.ofMillis(50),
        () -> netns.curl(2, "http://127.0.0.1:9901/ready").startsWith("200 LIVE"),
        () -> running(name),
        () -> Podman.run(Duration.ofSeconds(30), "logs", name).output());
    System.out.printf(
        "ImageIT: podman run to Envoy LIVE: %d ms%n",
        Duration.ofNanos(System.nanoTime() - started).toMillis());
    return name;
  }

  /** Removes the containers and stops the control planes {@link #start} started. */
  void stop() throws Exception {
    containers.forEach(Podman::remove);
    processes.stop();
  }

  private static boolean running(String name) {
    return Podman.run(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Running}}", name)
        .output()
        .strip()
        .equals("true");
  }

  /** {@code podman inspect} of the container. */
  static JsonObject inspect(String name) {
    return JsonParser.parseString(Podman.ok("inspect", name))
        .getAsJsonArray()
        .get(0)
        .getAsJsonObject();
  }

  /** The image's Envoy under the container's PID 1 ({@code pid1}: the host's pid). */
  static Optional<ProcessHandle> envoy(long pid1) {
    return ProcessHandle.of(pid1)
        .orElseThrow()
        .descendants()
        .filter(process -> cmdline(process.pid()).contains("/opt/meshboot/envoy/envoy"))
        .findFirst();
  }

  /** {@code /proc/<pid>/status}. */
  static String status(long pid) throws IOException {
    return Files.readString(Path.of("/proc", Long.toString(pid), "status"));
  }

  /** {@code /proc/<pid>/cmdline}, empty once the process is gone. */
  static String cmdline(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
    } catch (IOException e) {
      return "";
    }
  }

  /** The process's memory limit and its peak use, cgroup v1 (this machine's) or v2. */
  static long[] memoryLimitAndPeak(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
      String[] parts = line.split(":", 3);
      if (List.of(parts[1].split(",")).contains("memory")) {
        Path group = Path.of("/sys/fs/cgroup/memory" + parts[2]);
        return new long[] {
          number(group.resolve("memory.limit_in_bytes")),
          number(group.resolve("memory.max_usage_in_bytes"))
        };
      }
    }
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
      if (line.startsWith("0::")) {
        Path group = Path.of("/sys/fs/cgroup" + line.substring(3));
        return new long[] {
          number(group.resolve("memory.max")), number(group.resolve("memory.peak"))
        };
      }
    }
    throw new AssertionError("no memory cgroup for " + pid);
  }

  private static long number(Path file) throws IOException {
    return Long.parseLong(Files.readString(file).strip());
  }

  /** A JSON array of strings (podman's command lines). */
  static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    for (JsonElement element : array) {
      out.add(element.getAsString());
    }
    return out;
  }
}
