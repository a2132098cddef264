package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.meshboot.it.MeshUpstream.Answer;
import dev.meshboot.it.MeshUpstream.Reset;
import dev.meshboot.it.MeshUpstream.Response;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.load.MeshLoader;
import dev.meshboot.mesh.xds.Translator;
import dev.meshboot.testing.Wait;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The translation's features end to end: the fixture mesh {@code traffic} loaded by the real {@link
 * MeshLoader}, translated, and served to a real Envoy as the virtual node {@code client} in a
 * network namespace of its own, with App Mesh's interception (iptables sends the application's
 * outbound TCP to egress 15001, Envoy's group exempt) and the mesh's applications as real servers
 * on the namespace's loopback addresses, found by their DNS names ({@code /etc/hosts} of the
 * namespace). The test is the application: it connects where its code would and sees what Envoy
 * made of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MeshXdsTrafficIT {

  static final String CLIENT = "mesh/traffic/virtualNode/client";
  static final int PROXY_GID = 1337;
  static final String VIP = "127.0.0.1";

  private Path tmp = Path.of("");
  private Netns netns;
  private MeshXdsServer xds;
  private MeshEnvoy envoy;
  private final Map<String, MeshUpstream> upstreams = new TreeMap<>();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private @Nullable SSLContext outsideTls;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    tmp = dir;
    netns = Netns.create();
    netns.hosts(
        Map.of(
            "web-a.traffic.local", List.of("127.0.0.11"),
            "web-b.traffic.local", List.of("127.0.0.12"),
            "web-c.traffic.local", List.of("127.0.0.13"),
            "grpc-echo.traffic.local", List.of("127.0.0.41"),
            "db.traffic.local", List.of("127.0.0.51"),
            "checked.traffic.local", List.of("127.0.0.21", "127.0.0.22"),
            "ejecting.traffic.local", List.of("127.0.0.31", "127.0.0.32")));
    for (String web : List.of("web-a", "web-b")) {
      upstream(web, "127.0.0.1" + (web.equals("web-a") ? 1 : 2), 80, (r, n) -> MeshUpstream.ok());
    }
    upstream(
        "web-c",
        "127.0.0.13",
        80,
        (request, earlier) -> {
          String path = request.path();
          if (path.startsWith("/retry/once-503")) {
            return earlier == 0 ? new Answer(503, Duration.ZERO) : MeshUpstream.ok();
          }
          if (path.startsWith("/retry/once-reset")) {
            return earlier == 0 ? new Reset() : MeshUpstream.ok();
          }
          if (path.startsWith("/retry/always")) {
            return new Answer(503, Duration.ZERO);
          }
          if (path.startsWith("/slow")) {
            return new Answer(200, Duration.ofSeconds(3));
          }
          return MeshUpstream.ok();
        });
    upstream("checked-good", "127.0.0.21", 8080, (r, n) -> MeshUpstream.ok());
    upstream(
        "checked-bad",
        "127.0.0.22",
        8080,
        (r, n) -> r.path().equals("/health") ? new Answer(503, Duration.ZERO) : MeshUpstream.ok());
    upstream("ejecting-good", "127.0.0.31", 8082, (r, n) -> MeshUpstream.ok());
    upstream("ejecting-bad", "127.0.0.32", 8082, (r, n) -> new Answer(503, Duration.ZERO));
    upstream("outside", "127.0.0.61", 9999, (r, n) -> MeshUpstream.ok());
    upstream("outside-80", "127.0.0.61", 80, (r, n) -> MeshUpstream.ok());
    outsideTls = MeshApps.tls(MeshFixtureFiles.pki(), "outside");
    closing.add(MeshApps.lineServer(netns, "outside-tls", "127.0.0.61", 443, outsideTls));
    closing.add(MeshApps.lineServer(netns, "db", "127.0.0.51", 5432, null));
    closing.add(
        MeshApps.grpcServer(
            netns, "grpc-echo", "127.0.0.41", 50051, "test.Echo", List.of("Say", "Shout")));
    netns.exec(
        "iptables",
        "-t",
        "nat",
        "-A",
        "OUTPUT",
        "-p",
        "tcp",
        "-m",
        "owner",
        "!",
        "--gid-owner",
        Integer.toString(PROXY_GID),
        "-j",
        "REDIRECT",
        "--to-ports",
        "15001");
    xds = MeshXdsServer.start(tmp.resolve("xds.sock"));
    serve(load("DROP_ALL"));
    envoy = MeshEnvoy.start(tmp.resolve("client"), netns, CLIENT, xds, PROXY_GID);
    envoy.awaitLive();
  }

  @AfterAll
  void stop() throws Exception {
    if (envoy != null) {
      envoy.stop();
    }
    for (MeshUpstream upstream : upstreams.values()) {
      upstream.close();
    }
    for (AutoCloseable app : closing) {
      app.close();
    }
    if (xds != null) {
      xds.close();
    }
    if (netns != null) {
      netns.close();
    }
  }

  private void upstream(String name, String ip, int port, MeshUpstream.Handler handler)
      throws Exception {
    upstreams.put(name, MeshUpstream.start(netns, name, ip, port, handler));
  }

  /** The fixture loaded by the real loader, its mesh's egress filter set to {@code egress}. */
  private MeshDefinition load(String egress) throws IOException {
    return MeshFixtureFiles.load(
        "traffic", tmp.resolve("definition-" + egress), text -> text.replace("DROP_ALL", egress));
  }

  private void serve(MeshDefinition definition) {
    Map<NodeKey, NodeResources> nodes = Translator.translate(definition);
    xds.serve(CLIENT, MeshFixtureFiles.node(nodes, CLIENT), List.of());
  }

  private Response get(String host, int port, String target, Map<String, String> headers)
      throws Exception {
    return get(host, port, target, headers, VIP);
  }

  private Response get(
      String host, int port, String target, Map<String, String> headers, String address)
      throws Exception {
    return MeshUpstream.send(netns, address, port, "GET", host, target, headers);
  }

  private Response web(String method, String target, Map<String, String> headers) throws Exception {
    return MeshUpstream.send(netns, VIP, 80, method, "web.traffic.local", target, headers);
  }

  /** Who answered each of {@code n} requests (the body), counted. */
  private Map<String, Integer> answers(int n, String method, String target, Map<String, String> h)
      throws Exception {
    Map<String, Integer> by = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      Response response = web(method, target, h);
      by.merge(
          response.status() == 200 ? response.body() : "status " + response.status(),
          1,
          Integer::sum);
    }
    return by;
  }

  @Test
  void weightedTargetsShareTheTrafficByWeight() throws Exception {
    int n = 200;
    Map<String, Integer> by = answers(n, "GET", "/anything", Map.of());
    assertThat(by.keySet()).containsExactlyInAnyOrder("web-a", "web-b");
    // weights 3:1, so web-a answers 150 of 200; 5 standard deviations (6.1 each) either side
    assertThat(by.get("web-a")).isBetween(120, 180);
  }

  @Test
  void headerPathMethodAndQueryMatchesChooseTheirRoute() throws Exception {
    assertThat(answers(10, "GET", "/x", Map.of("x-canary", "yes"))).isEqualTo(Map.of("web-c", 10));
    assertThat(answers(20, "GET", "/x", Map.of("x-canary", "no"))).doesNotContainKey("web-c");
    assertThat(answers(10, "GET", "/exact/only", Map.of())).isEqualTo(Map.of("web-c", 10));
    assertThat(answers(20, "GET", "/exact/only/more", Map.of())).doesNotContainKey("web-c");
    assertThat(answers(10, "POST", "/x", Map.of())).isEqualTo(Map.of("web-c", 10));
    assertThat(answers(20, "PUT", "/x", Map.of())).doesNotContainKey("web-c");
    assertThat(answers(10, "GET", "/x?a=1&v=2", Map.of())).isEqualTo(Map.of("web-c", 10));
    assertThat(answers(20, "GET", "/x?v=3", Map.of())).doesNotContainKey("web-c");
    // a header range includes its start and excludes its end, as App Mesh's did
    assertThat(answers(5, "GET", "/x", Map.of("x-build", "100"))).isEqualTo(Map.of("web-c", 5));
    assertThat(answers(5, "GET", "/x", Map.of("x-build", "199"))).isEqualTo(Map.of("web-c", 5));
    assertThat(answers(20, "GET", "/x", Map.of("x-build", "200"))).doesNotContainKey("web-c");
    // a path regex matches the whole path
    assertThat(answers(5, "GET", "/items/42", Map.of())).isEqualTo(Map.of("web-c", 5));
    assertThat(answers(20, "GET", "/items/42x", Map.of())).doesNotContainKey("web-c");
  }

  @Test
  void routePriorityOrdersRoutesNotTheirNames() throws Exception {
    // a-low (priority 60, first by name) and z-high (priority 50) both match /prio
    assertThat(answers(10, "GET", "/prio", Map.of())).isEqualTo(Map.of("web-b", 10));
  }

  @Test
  void retryPolicyRetriesServerErrorsAndResetsUpToMaxRetries() throws Exception {
    MeshUpstream c = upstreams.get("web-c");
    assertThat(web("GET", "/retry/once-503", Map.of())).isEqualTo(new Response(200, "web-c"));
    assertThat(c.count("/retry/once-503")).isEqualTo(2);
    assertThat(web("GET", "/retry/once-reset", Map.of())).isEqualTo(new Response(200, "web-c"));
    assertThat(c.count("/retry/once-reset")).isEqualTo(2);
    assertThat(web("GET", "/retry/always", Map.of()).status()).isEqualTo(503);
    // maxRetries 4: the first attempt and 4 retries, where App Mesh's default policy makes 3
    assertThat(c.count("/retry/always")).isEqualTo(5);
  }

  @Test
  void perRequestTimeoutCutsASlowUpstream() throws Exception {
    long start = System.nanoTime();
    Response response = web("GET", "/slow", Map.of());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(response.status()).isEqualTo(504);
    assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofMillis(2500));
    assertThat(upstreams.get("web-c").count("/slow")).isEqualTo(1);
  }

  @Test
  void activeHealthCheckTakesTheUnhealthyEndpointOut() throws Exception {
    String cluster = "cluster.cds_egress_traffic_checked_http_8080.";
    Wait.until(
        "the health checks' verdict",
        Duration.ofSeconds(20),
        () ->
            envoy.stat(cluster + "membership_total") == 2
                && envoy.stat(cluster + "membership_healthy") == 1);
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(get("checked.traffic.local", 8080, "/", Map.of()).body());
    }
    assertThat(answers).containsOnly("checked-good");
    assertThat(upstreams.get("checked-bad").requests(r -> true))
        .isNotEmpty()
        .allSatisfy(
            r -> {
              assertThat(r.path()).isEqualTo("/health");
              assertThat(r.headers()).containsEntry("host", "checked.traffic.local:8080");
            });
  }

  @Test
  void outlierDetectionEjectsAnEndpointAfterMaxServerErrors() throws Exception {
    String cluster = "cluster.cds_egress_traffic_ejecting_http_8082.";
    Wait.until(
        "an ejection",
        Duration.ofSeconds(10),
        () -> {
          get("ejecting.traffic.local", 8082, "/", Map.of());
          return envoy.stat(cluster + "outlier_detection.ejections_active") == 1;
        });
    long bad = upstreams.get("ejecting-bad").count("/");
    // maxServerErrors 2 (one more could slip in while the ejection reaches Envoy's workers)
    assertThat(bad).isBetween(2L, 3L);
    for (int i = 0; i < 20; i++) {
      assertThat(get("ejecting.traffic.local", 8082, "/", Map.of()))
          .isEqualTo(new Response(200, "ejecting-good"));
    }
    assertThat(upstreams.get("ejecting-bad").count("/")).isEqualTo(bad);
  }

  /** A TLS connection from the application to {@code 127.0.0.61:443} naming {@code sni}. */
  private String tlsOut(String sni) throws Exception {
    return MeshApps.lineCall(netns, "127.0.0.61", 443, "hello", outsideTls, sni);
  }

  @Test
  void egressFilterDropsOrPassesDestinationsOutsideTheMesh() throws Exception {
    MeshUpstream outside = upstreams.get("outside");
    MeshUpstream outside80 = upstreams.get("outside-80");
    // DROP_ALL (App Mesh's default): a port no backend uses, an unknown host on a backend's
    // port, TLS on 443 to anything but AWS are refused; the backend is reached whatever address
    // the application connected to, and TLS to *.amazonaws.com always leaves
    assertThat(get("outside.test", 9999, "/", Map.of(), "127.0.0.61").status()).isEqualTo(-1);
    assertThat(get("outside.test", 80, "/", Map.of(), "127.0.0.61").status()).isEqualTo(404);
    assertThat(tlsOut("outside.test")).doesNotContain("outside-tls");
    assertThat(tlsOut("sts.us-east-1.amazonaws.com")).isEqualTo("outside-tls: hello");
    assertThat(get("web.traffic.local", 80, "/", Map.of(), "127.0.0.61").body())
        .isIn("web-a", "web-b");
    assertThat(outside.requests(r -> true)).isEmpty();
    assertThat(outside80.requests(r -> true)).isEmpty();

    serve(load("ALLOW_ALL"));
    Wait.until(
        "ALLOW_ALL in force (the listener and port 80's route configuration)",
        Duration.ofSeconds(10),
        () ->
            get("outside.test", 9999, "/", Map.of(), "127.0.0.61").status() == 200
                && get("outside.test", 80, "/ready", Map.of(), "127.0.0.61").status() == 200);
    assertThat(get("outside.test", 9999, "/x", Map.of(), "127.0.0.61"))
        .isEqualTo(new Response(200, "outside"));
    assertThat(get("outside.test", 80, "/", Map.of(), "127.0.0.61"))
        .isEqualTo(new Response(200, "outside-80"));
    // not roadmap#79: TLS on 443 to a destination outside AWS passes through as well
    assertThat(tlsOut("outside.test")).isEqualTo("outside-tls: hello");
    assertThat(get("web.traffic.local", 80, "/", Map.of(), "127.0.0.61").body())
        .isIn("web-a", "web-b");
    assertThat(outside80.count("/")).isEqualTo(1);

    serve(load("DROP_ALL"));
    Wait.until(
        "DROP_ALL in force again",
        Duration.ofSeconds(10),
        () ->
            get("outside.test", 9999, "/", Map.of(), "127.0.0.61").status() == -1
                && get("outside.test", 80, "/", Map.of(), "127.0.0.61").status() == 404);
  }

  @Test
  void grpcRouteCarriesARealCallAndRefusesOtherMethods() throws Exception {
    assertThat(
            MeshApps.grpcCall(
                netns,
                VIP,
                50051,
                "grpc.traffic.local:50051",
                MeshApps.method("test.Echo", "Say"),
                "hi"))
        .isEqualTo("grpc-echo: hi");
    StatusRuntimeException refused =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                MeshApps.grpcCall(
                    netns,
                    VIP,
                    50051,
                    "grpc.traffic.local:50051",
                    MeshApps.method("test.Echo", "Shout"),
                    "hi"));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
  }

  @Test
  void tcpRouteCarriesAConnection() throws Exception {
    assertThat(MeshApps.lineCall(netns, VIP, 5432, "ping", null, "")).isEqualTo("db: ping");
  }

  @Test
  void virtualGatewayRoutesByHostnameAndPrefixAndRewritesThePrefix() throws Exception {
    String id = "mesh/traffic/virtualGateway/edge";
    xds.serve(id, MeshFixtureFiles.node(Translator.translate(load("DROP_ALL")), id), List.of());
    // a namespace of its own: the gateway's self-redirect listener is 127.0.0.1:15001 too
    try (Netns edge = Netns.create()) {
      edge.hosts(
          Map.of(
              "web-a.traffic.local", List.of("127.0.0.11"),
              "web-b.traffic.local", List.of("127.0.0.12"),
              "web-c.traffic.local", List.of("127.0.0.13")));
      List<MeshUpstream> webs = new ArrayList<>();
      try {
        for (String web : List.of("web-a", "web-b", "web-c")) {
          String ip = "127.0.0.1" + (char) ('1' + webs.size());
          webs.add(MeshUpstream.start(edge, web, ip, 80, (r, n) -> MeshUpstream.ok()));
        }
        MeshEnvoy gateway = MeshEnvoy.start(tmp.resolve("edge"), edge, id, xds, 0);
        gateway.awaitLive();
        // /shop/ for shop.test: the matched prefix becomes / (App Mesh's default), and the
        // virtual router's routes then apply: /exact/only goes to web-c
        assertThat(
                MeshUpstream.send(
                    edge, VIP, 8088, "GET", "shop.test", "/shop/exact/only", Map.of()))
            .isEqualTo(new Response(200, "web-c"));
        assertThat(webs.get(2).requests(r -> true))
            .singleElement()
            .satisfies(
                r -> {
                  assertThat(r.target()).isEqualTo("/exact/only");
                  assertThat(r.headers()).containsEntry("host", "web.traffic.local");
                });
        assertThat(
                MeshUpstream.send(
                        edge, VIP, 8088, "GET", "other.test", "/shop/exact/only", Map.of())
                    .status())
            .isEqualTo(404);
        // defaultPrefix DISABLED keeps the path
        Response kept = MeshUpstream.send(edge, VIP, 8088, "GET", "any.test", "/keep/x", Map.of());
        assertThat(kept.body()).isIn("web-a", "web-b");
        assertThat(webs.get(kept.body().equals("web-a") ? 0 : 1).count("/keep/x")).isEqualTo(1);
        gateway.stop();
      } finally {
        for (MeshUpstream web : webs) {
          web.close();
        }
      }
    }
  }

  @Test
  void accessLogWritesTheNodesJsonFormat() throws Exception {
    assertThat(web("GET", "/logged/once", Map.of()).status()).isEqualTo(200);
    // MeshEnvoy has Envoy flush file access logs every 100 ms
    Wait.until(
        "the access log line",
        Duration.ofSeconds(10),
        () -> envoy.log().contains("\"path\":\"/logged/once\""));
    String line =
        envoy.log().lines().filter(l -> l.contains("/logged/once")).findFirst().orElseThrow();
    JsonObject entry = JsonParser.parseString(line).getAsJsonObject();
    assertThat(entry.keySet()).containsExactlyInAnyOrder("log", "authority", "path", "status");
    assertThat(entry.get("log").getAsString()).isEqualTo("access");
    assertThat(entry.get("authority").getAsString()).isEqualTo("web.traffic.local");
    assertThat(entry.get("status").getAsInt()).isEqualTo(200);
  }

  @Test
  void aNodesListenerTimeoutAndConnectionPoolHoldAtItsIngress() throws Exception {
    String id = "mesh/traffic/virtualNode/pooled";
    xds.serve(id, MeshFixtureFiles.node(Translator.translate(load("DROP_ALL")), id), List.of());
    // the node's own Envoy: inbound 9090 goes to ingress 15000 (here from the namespace itself,
    // so OUTPUT, the proxy's group exempt), which forwards to the application on loopback
    try (Netns node = Netns.create();
        MeshUpstream app =
            MeshUpstream.start(
                node,
                "pooled",
                "127.0.0.1",
                9090,
                (r, n) ->
                    new Answer(
                        200,
                        r.path().equals("/slow")
                            ? Duration.ofSeconds(5)
                            : Duration.ofMillis(250)))) {
      node.exec(
          "iptables",
          "-t",
          "nat",
          "-A",
          "OUTPUT",
          "-p",
          "tcp",
          "--dport",
          "9090",
          "-m",
          "owner",
          "!",
          "--gid-owner",
          Integer.toString(PROXY_GID),
          "-j",
          "REDIRECT",
          "--to-ports",
          "15000");
      MeshEnvoy pooled = MeshEnvoy.start(tmp.resolve("pooled"), node, id, xds, PROXY_GID);
      pooled.awaitLive();

      // maxConnections 1: three requests at once reach the application one at a time
      ExecutorService clients = Executors.newFixedThreadPool(3);
      try {
        record Timed(Response response, long start, long end) {}
        List<Future<Timed>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          calls.add(
              clients.submit(
                  () -> {
                    long start = System.nanoTime();
                    Response response =
                        MeshUpstream.send(node, VIP, 9090, "GET", "pooled", "/hold", Map.of());
                    return new Timed(response, start, System.nanoTime());
                  }));
        }
        List<Timed> done = new ArrayList<>();
        for (Future<Timed> call : calls) {
          done.add(call.get(10, TimeUnit.SECONDS));
        }
        // the three were in flight together on the application's side of Envoy...
        assertThat(done.stream().mapToLong(Timed::start).max().orElseThrow())
            .isLessThan(done.stream().mapToLong(Timed::end).min().orElseThrow());
        assertThat(done)
            .extracting(t -> t.response().status())
            .contains(200)
            .allMatch(status -> status == 200 || status == 503);
        // ...and reached the application one at a time
        assertThat(app.count("/hold")).isPositive();
        assertThat(app.peakConcurrency()).isEqualTo(1);
      } finally {
        clients.shutdownNow();
      }
      long start = System.nanoTime();
      Response cut = MeshUpstream.send(node, VIP, 9090, "GET", "pooled", "/slow", Map.of());
      assertThat(cut.status()).isEqualTo(504);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(Duration.ofMillis(1400), Duration.ofMillis(4000));

      pooled.stop();
    }
  }
}
