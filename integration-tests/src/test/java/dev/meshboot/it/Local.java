package dev.meshboot.it;

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
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                  .timeout(Duration.ofSeconds(1))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body()
          .strip();
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** The Envoy meshboot supervises. */
  static Optional<ProcessHandle> envoyUnder(ProcessHandle meshboot) {
    return meshboot
        .children()
        .filter(child -> child.info().command().orElse("").endsWith("envoy"))
        .findFirst();
  }

  interface Check {
    boolean ok() throws Exception;
  }

  /** Waits for {@code check}; fails with meshboot's log when it dies or the time is up. */
  static void waitUntil(Process meshboot, Check check, Path log, String what, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline || !meshboot.isAlive()) {
        throw new AssertionError(
            "no " + what + " within " + timeout.toSeconds() + "s:\n" + Files.readString(log));
      }
      Thread.sleep(50);
    }
  }
}
