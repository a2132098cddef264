package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import dev.meshboot.testing.Wait;
import dev.meshboot.xds.EnvoyResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's last-known-good cache with a real Envoy: a meshboot that starts while the management
 * endpoint is down brings Envoy up on the configuration the previous Envoy accepted (listeners,
 * routes, clusters and endpoints, all over ADS), reports it as degraded, and moves Envoy to the
 * live configuration when the endpoint returns; without a cache Envoy stays not ready, and the
 * status says why.
 */
class RelayCacheIT {

  private Process meshboot;
  private Server server;

  @AfterEach
  void stop() throws InterruptedException {
    Local.stop(meshboot, server);
  }

  /**
   * A listener on {@code port} whose route (RDS) answers with {@code body}, and a cluster whose
   * endpoints come by EDS: every ADS type must be cached for Envoy to be ready from the cache.
   */
  static Snapshot snapshot(String version, int port, String body) {
    ConfigSource ads =
        ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();
    Cluster cluster =
        Cluster.newBuilder()
            .setName("backend")
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads))
            .setConnectTimeout(Duration.newBuilder().setSeconds(1))
            .build();
    ClusterLoadAssignment endpoints =
        ClusterLoadAssignment.newBuilder()
            .setClusterName("backend")
            .addEndpoints(
                LocalityLbEndpoints.newBuilder()
                    .addLbEndpoints(
                        LbEndpoint.newBuilder()
                            .setEndpoint(
                                Endpoint.newBuilder().setAddress(EnvoyResources.loopback(18081)))))
            .build();
    RouteConfiguration route = EnvoyResources.answering("local", body);
    Listener listener =
        EnvoyResources.httpListener(
                "ingress",
                port,
                EnvoyResources.httpManager()
                    .setRds(Rds.newBuilder().setConfigSource(ads).setRouteConfigName("local"))
                    .build())
            .build();
    return Snapshot.create(
        List.of(cluster),
        List.of(endpoints),
        List.of(listener),
        List.of(route),
        List.of(),
        version);
  }

  /** A plain-text java-control-plane ADS server on {@code port} serving {@code snapshot}. */
  private static Server upstream(int port, Snapshot snapshot) throws Exception {
    SimpleCache<String> cache = new SimpleCache<>(node -> "mesh");
    cache.setSnapshot("mesh", snapshot);
    return NettyServerBuilder.forAddress(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
        .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl())
        .build()
        .start();
  }

  private record Run(Process process, Path log, int api, int admin) {}

  private Run run(Path tmp, String name, int upstreamPort, Path cache) throws Exception {
    int api = Local.freePort();
    int admin = Local.freePort();
    Path dir = Files.createDirectories(tmp.resolve(name));
    Path log = dir.resolve("meshboot.log");
    Map<String, String> env = new HashMap<>();
    env.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + upstreamPort);
    env.put("MESHBOOT_XDS_MODE", "relay");
    env.put("MESHBOOT_XDS_RELAY_SOCKET", dir.resolve("relay.sock").toString());
    env.put("MESHBOOT_XDS_CACHE_DIR", cache.toString());
    env.put("ENVOY_ADMIN_ACCESS_PORT", Integer.toString(admin));
    env.put("APPNET_AGENT_ADMIN_MODE", "tcp");
    env.put("APPNET_AGENT_HTTP_PORT", Integer.toString(api));
    env.put("APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S", "1");
    meshboot = Local.meshbootRun(dir, log, env);
    return new Run(meshboot, log, api, admin);
  }

  private static void waitUntil(Run run, Wait.Check check, String what) throws Exception {
    Local.waitUntil(run.process(), check, run.log(), what, java.time.Duration.ofSeconds(40));
  }

  @Test
  void envoyStartsFromTheCacheWhileTheEndpointIsDownThenGoesLive(@TempDir Path tmp)
      throws Exception {
    int upstreamPort = Local.freePort();
    int listener = Local.freePort();
    Path cache = tmp.resolve("xds-cache");

    // A first run with the management endpoint up: Envoy accepts v1, and the relay keeps it.
    server = upstream(upstreamPort, snapshot("1", listener, "config v1"));
    Run first = run(tmp, "first", upstreamPort, cache);
    waitUntil(first, () -> Local.get(listener, "/").equals("config v1"), "v1 served");
    waitUntil(
        first,
        () -> Local.get(first.api(), "/status").contains("\"configSource\": \"live\""),
        "live");
    first.process().destroy();
    assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    try (var files = Files.walk(cache)) {
      assertThat(files.filter(Files::isRegularFile).count())
          .as("listeners, routes, clusters and endpoints cached")
          .isEqualTo(4);
    }

    // The endpoint is down: the next Envoy starts from the cache, and meshboot says so.
    Run second = run(tmp, "second", upstreamPort, cache);
    waitUntil(
        second, () -> Local.ready(second.admin()).equals("LIVE"), "Envoy LIVE from the cache");
    assertThat(Local.get(listener, "/")).isEqualTo("config v1");
    waitUntil(
        second,
        () -> Local.get(second.api(), "/status").contains("\"healthStatus\": \"DEGRADED\""),
        "a degraded status");
    String status = Local.get(second.api(), "/status");
    assertThat(status)
        .contains("\"configSource\": \"cache\"")
        .contains("\"envoyReadinessState\": \"READY\"")
        .contains("last-known-good configuration from the cache")
        .contains("127.0.0.1:" + upstreamPort);
    assertThat(Local.get(second.api(), "/ready").strip()).isEqualTo("ready");
    assertThat(
            Cli.run(Map.of("APPNET_AGENT_HTTP_PORT", Integer.toString(second.api())), "healthcheck")
                .exitCode())
        .as("degraded is healthy enough for a container health check")
        .isZero();
    assertThat(Local.get(second.api(), "/stats/prometheus"))
        .contains("meshboot_xds_config_source{source=\"cache\"} 1");

    // A restarted Envoy comes up from the cache too.
    long envoyPid = Local.envoyUnder(second.process().toHandle()).orElseThrow().pid();
    ProcessHandle.of(envoyPid).orElseThrow().destroyForcibly();
    waitUntil(
        second,
        () ->
            Local.envoyUnder(second.process().toHandle()).map(ProcessHandle::pid).orElse(envoyPid)
                    != envoyPid
                && Local.ready(second.admin()).equals("LIVE"),
        "the restarted Envoy LIVE from the cache");
    assertThat(Local.get(listener, "/")).isEqualTo("config v1");

    // The endpoint returns with v2: Envoy moves to it, and the status is healthy again.
    server = upstream(upstreamPort, snapshot("2", listener, "config v2"));
    waitUntil(second, () -> Local.get(listener, "/").equals("config v2"), "v2 served");
    waitUntil(
        second,
        () -> Local.get(second.api(), "/status").contains("\"healthStatus\": \"HEALTHY\""),
        "a healthy status");
    assertThat(Local.get(second.api(), "/status")).contains("\"configSource\": \"live\"");
    assertThat(Files.readString(second.log()))
        .contains("Envoy gets the last-known-good configuration")
        .contains("the management endpoint is reachable again");
  }

  @Test
  void withoutACacheEnvoyIsNotReadyAndTheStatusSaysWhy(@TempDir Path tmp) throws Exception {
    int upstreamPort = Local.freePort(); // nothing listens there
    Run run = run(tmp, "nocache", upstreamPort, tmp.resolve("empty-cache"));
    waitUntil(
        run,
        () -> Local.get(run.api(), "/status").contains("no last-known-good configuration"),
        "the status naming the missing cache");
    String status = Local.get(run.api(), "/status");
    assertThat(status)
        .contains("\"healthStatus\": \"UNHEALTHY\"")
        .contains("\"envoyReadinessState\": \"NOT_READY\"")
        .contains("\"configSource\": \"none\"")
        .contains("cannot reach the management endpoint 127.0.0.1:" + upstreamPort);
    assertThat(Local.ready(run.admin())).isNotEqualTo("LIVE");
    assertThat(Local.get(run.api(), "/ready").strip()).isEqualTo("not ready");
  }
}
