package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.xds.EnvoyResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Envoy, started with the bootstrap {@code meshboot bootstrap} writes in direct mode,
 * connects to an in-process java-control-plane server, receives a cluster and a listener, and
 * reports LIVE.
 */
class ControlPlaneIT {

  static final String ARN = "arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/cart";

  private Server server;
  private Process envoy;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2)).build();

  @AfterEach
  void stop() throws InterruptedException {
    if (envoy != null) {
      envoy.destroy();
      if (!envoy.waitFor(10, TimeUnit.SECONDS)) {
        envoy.destroyForcibly();
      }
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void envoyReceivesClusterAndListenerFromTheControlPlaneAndGoesLive(@TempDir Path tmp)
      throws Exception {
    Set<String> nodes = ConcurrentHashMap.newKeySet();
    SimpleCache<String> cache = new SimpleCache<>(node -> "mesh");
    cache.setSnapshot("mesh", snapshot());
    V3DiscoveryServer discovery =
        new V3DiscoveryServer(
            new DiscoveryServerCallbacks() {
              @Override
              public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
                if (request.hasNode()) {
                  nodes.add(request.getNode().getId());
                }
              }

              @Override
              public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {}
            },
            cache);
    server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .build()
            .start();

    int adminPort = freePort();
    Path bootstrap = tmp.resolve("envoy.yaml");
    Cli.Result rendered =
        Cli.run(
            Map.of(
                "APPMESH_RESOURCE_ARN",
                ARN,
                "APPMESH_XDS_ENDPOINT",
                "127.0.0.1:" + server.getPort(),
                "ENVOY_ADMIN_ACCESS_PORT",
                Integer.toString(adminPort),
                "ENVOY_ADMIN_ACCESS_LOG_FILE",
                tmp.resolve("admin.log").toString()),
            "bootstrap",
            "-o",
            bootstrap.toString());
    assertThat(rendered.exitCode()).as(rendered.stderr()).isZero();

    Path log = tmp.resolve("envoy.log");
    envoy =
        new ProcessBuilder(
                Envoy.path().toString(),
                "-c",
                bootstrap.toString(),
                "--base-id",
                Long.toString(ProcessHandle.current().pid() % 100000),
                "--disable-hot-restart",
                "-l",
                "info")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();

    String ready = waitForLive(adminPort, log);
    assertThat(ready).isEqualTo("LIVE");
    assertThat(nodes).contains(ARN);
    assertThat(get(adminPort, "/clusters")).contains("echo::");
    String listeners = get(adminPort, "/listeners?format=json");
    assertThat(listeners).contains("\"ingress\"");
    // the control plane's listener (the bootstrap's own, meshboot_metrics, is listed too)
    Matcher port =
        Pattern.compile("\"name\":\\s*\"ingress\"[^}]*?\"port_value\":\\s*(\\d+)")
            .matcher(listeners);
    assertThat(port.find()).as(listeners).isTrue();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("served by meshboot's test control plane");
  }

  private String waitForLive(int adminPort, Path log) throws Exception {
    dev.meshboot.testing.Wait.until(
        "Envoy LIVE",
        java.time.Duration.ofSeconds(30),
        java.time.Duration.ofMillis(100),
        () -> Local.ready(adminPort).equals("LIVE"),
        envoy::isAlive,
        () -> "Envoy's last /ready: " + Local.ready(adminPort) + "\n" + Local.read(log));
    return "LIVE";
  }

  private String get(int port, String path) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static Snapshot snapshot() {
    return snapshot(0);
  }

  /**
   * A cluster, and an inbound listener on {@code port} (0: any) answering every request with 200.
   */
  static Snapshot snapshot(int port) {
    Listener listener =
        EnvoyResources.httpListener(
                "ingress",
                port,
                EnvoyResources.httpManager()
                    .setRouteConfig(
                        EnvoyResources.answering(
                            "local", "served by meshboot's test control plane"))
                    .build())
            .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.INBOUND)
            .build();
    return Snapshot.create(
        List.of(cluster("echo")), List.of(), List.of(listener), List.of(), List.of(), "1");
  }

  /**
   * {@code base}'s resources plus {@code clusters} and {@code listeners}, all as {@code version}.
   */
  static Snapshot plus(
      Snapshot base, String version, List<Cluster> clusters, List<Listener> listeners) {
    return Snapshot.create(
        java.util.stream.Stream.concat(
                base.clusters().resources().values().stream(), clusters.stream())
            .toList(),
        base.endpoints().resources().values(),
        java.util.stream.Stream.concat(
                base.listeners().resources().values().stream(), listeners.stream())
            .toList(),
        base.routes().resources().values(),
        base.secrets().resources().values(),
        version);
  }

  /** A static cluster with one endpoint on loopback. */
  static Cluster cluster(String name) {
    return EnvoyResources.staticCluster(name, 1);
  }
}
