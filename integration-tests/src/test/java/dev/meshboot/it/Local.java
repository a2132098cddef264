package dev.meshboot.it;

import dev.meshboot.testing.Wait;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the tests that run {@code meshboot run} as a process share: loopback servers and waits. */
final class Local {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private Local() {}

  /** A java-control-plane ADS server on loopback serving {@code snapshot} to every node. */
  static Server controlPlane(Snapshot snapshot) throws IOException {
    SimpleCache<String> cache = new SimpleCache<>(node -> "mesh");
    cache.setSnapshot("mesh", snapshot);
    return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl())
        .build()
        .start();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Envoy's {@code /ready} on its TCP admin port, or the error in words. */
  static String ready(int adminPort) {
    return get(adminPort, "/ready").strip();
  }

  /** The body of {@code GET http://127.0.0.1:port/path}, or the error in words. */
  static String get(int port, String path) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /**
   * Starts {@code java -jar meshboot.jar run} with a test environment (node ARN, the real Envoy,
   * files under {@code tmp}, quick restarts and drains) plus {@code extra}; output to {@code log}.
   */
  static Process meshbootRun(Path tmp, Path log, Map<String, String> extra) throws IOException {
    return meshbootRun(tmp, log, extra, null);
  }

  /** {@link #meshbootRun(Path, Path, Map)} in {@code netns} if given. */
  static Process meshbootRun(
      Path tmp, Path log, Map<String, String> extra, @org.jspecify.annotations.Nullable Netns netns)
      throws IOException {
    return start(
        List.of(ReleaseJava.java(), "-jar", System.getProperty("meshboot.jar"), "run"),
        tmp,
        log,
        extra,
        netns);
  }

  /**
   * {@link #meshbootRun(Path, Path, Map, Netns)} through the launcher, {@code bin/meshboot run}, as
   * a unit or a developer runs it (the release's JRE and jar, the cache directory {@code
   * tmp/cache}, no AOT caches), in {@code tmp}.
   */
  static Process launcherRun(
      Path tmp, Path log, Map<String, String> extra, @org.jspecify.annotations.Nullable Netns netns)
      throws IOException {
    Path jar = Path.of(System.getProperty("meshboot.jar")).toAbsolutePath().normalize();
    Map<String, String> env = new HashMap<>();
    env.put("MESHBOOT_JAR", jar.toString());
    env.put("MESHBOOT_JAVA_HOME", ReleaseJava.home().toString());
    env.put("MESHBOOT_CACHE_DIR", tmp.resolve("cache").toString());
    env.put("MESHBOOT_AOT", "0");
    env.putAll(extra);
    Path launcher = jar.getParent().getParent().getParent().resolve("bin/meshboot");
    return start(List.of(launcher.toString(), "run"), tmp, log, env, netns);
  }

  private static Process start(
      List<String> command,
      Path tmp,
      Path log,
      Map<String, String> extra,
      @org.jspecify.annotations.Nullable Netns netns)
      throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", tmp.toString());
    env.put("ENVOY_BIN", Envoy.path().toString());
    env.put("APPMESH_RESOURCE_ARN", RunIT.ARN);
    env.put("ENVOY_ADMIN_ACCESS_LOG_FILE", tmp.resolve("admin.log").toString());
    env.put("MESHBOOT_BOOTSTRAP_PATH", tmp.resolve("envoy.json").toString());
    env.put("MESHBOOT_RESTART_BACKOFF_MS", "100");
    env.put("LISTENER_DRAIN_WAIT_TIME_S", "5");
    env.put("ENVOY_LOG_LEVEL", "warning");
    env.putAll(extra);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(tmp.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    return netns == null ? builder.start() : netns.start(builder);
  }

  /**
   * The environment of a {@code meshboot run} of the workshop mesh's {@code frontend} node served
   * by the embedded control plane ({@code MESHBOOT_MESH} = {@code mesh}, its socket in {@code
   * tmp}); a map the caller may add to.
   */
  static Map<String, String> workshopFrontend(Path mesh, Path tmp) {
    Map<String, String> env = new HashMap<>();
    env.put("APPMESH_RESOURCE_ARN", "mesh/appmesh-workshop/virtualNode/frontend");
    env.put("MESHBOOT_MESH", mesh.toString());
    env.put("MESHBOOT_MESH_SOCKET", tmp.resolve("mesh.sock").toString());
    return env;
  }

  /** Kills what a test left running: meshboot with its children, and the server. */
  static void stop(
      @org.jspecify.annotations.Nullable Process meshboot,
      @org.jspecify.annotations.Nullable Server server)
      throws InterruptedException {
    if (meshboot != null && meshboot.isAlive()) {
      meshboot.descendants().forEach(ProcessHandle::destroyForcibly);
      meshboot.destroyForcibly();
      meshboot.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /** The Envoy meshboot supervises. */
  static Optional<ProcessHandle> envoyUnder(ProcessHandle meshboot) {
    return meshboot
        .children()
        .filter(child -> child.info().command().orElse("").endsWith("envoy"))
        .findFirst();
  }

  /** Waits for {@code check}; fails with meshboot's log when it dies or the time is up. */
  static void waitUntil(Process meshboot, Wait.Check check, Path log, String what, Duration timeout)
      throws Exception {
    Wait.until(what, timeout, Duration.ofMillis(50), check, meshboot::isAlive, () -> read(log));
  }

  /** A log's text, or why it cannot be read. */
  static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}
