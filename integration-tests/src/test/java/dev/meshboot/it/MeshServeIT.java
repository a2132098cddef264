package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.meshboot.testing.TestPki;
import dev.meshboot.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshboot mesh serve} (the shaded jar) serving an App Mesh definition (create requests:
 * virtual nodes with listeners and backends, a virtual router with routes, virtual services) to
 * real Envoys, each in a {@link Netns} of its own since App Mesh's listeners bind 0.0.0.0:15000 and
 * :15001: each Envoy gets its node's configuration (state-of-the-world over TCP, delta over a unix
 * socket) and goes LIVE without a NACK, and requests through its egress listener reach the
 * application its backend's route names; a route change reaches the Envoy that routes through it
 * within a second with no failed request, and the node it does not affect is pushed nothing; a
 * client certificate of one node cannot fetch another's configuration.
 */
class MeshServeIT {

  private static final String CART = "mesh/shop/virtualNode/cart";
  private static final String PAYMENTS = "mesh/shop/virtualNode/payments";
  private static final int EGRESS = 15001;

  @TempDir Path tmp;
  private final MeshProcesses processes = new MeshProcesses();
  private final List<Netns> pods = new ArrayList<>();
  private final List<MeshUpstream> apps = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    processes.stop();
    for (MeshUpstream app : apps) {
      app.close();
    }
    for (Netns pod : pods.reversed()) {
      pod.close();
    }
  }

  private Netns pod() throws Exception {
    Netns pod = Netns.create();
    pods.add(pod);
    return pod;
  }

  /**
   * An application in {@code pod} on 127.0.0.1:{@code port} answering every request {@code name}.
   */
  private void app(Netns pod, int port, String name) throws Exception {
    apps.add(
        MeshUpstream.start(pod, name, "127.0.0.1", port, (request, earlier) -> MeshUpstream.ok()));
  }

  /**
   * {@code "<status> <body>"} of {@code GET path} for {@code host} through {@code pod}'s egress.
   */
  private static String get(Netns pod, String path, String host) {
    return pod.curl(3, "http://127.0.0.1:" + EGRESS + path, "-H", "Host: " + host);
  }

  /**
   * The shop mesh: cart's backend color.shop.local is served by router color, whose route {@code
   * main} sends / to blue and route {@code green} sends /green to green; payments' backend
   * ledger.shop.local is node ledger. Every node is found at 127.0.0.1 (DNS), its pod's loopback.
   */
  private Path definition() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mesh"));
    write(dir, "mesh.json", "{\"meshName\": \"shop\", \"spec\": {}}");
    write(dir, "nodes/cart.json", node("cart", 9080, "color.shop.local"));
    write(dir, "nodes/payments.json", node("payments", 9081, "ledger.shop.local"));
    write(dir, "nodes/blue.json", node("blue", 9101, null));
    write(dir, "nodes/green.json", node("green", 9102, null));
    write(dir, "nodes/ledger.json", node("ledger", 9103, null));
    write(
        dir,
        "services/color.json",
        """
        {"meshName": "shop", "virtualServiceName": "color.shop.local",
         "spec": {"provider": {"virtualRouter": {"virtualRouterName": "color"}}}}
        """);
    write(
        dir,
        "services/ledger.json",
        """
        {"meshName": "shop", "virtualServiceName": "ledger.shop.local",
         "spec": {"provider": {"virtualNode": {"virtualNodeName": "ledger"}}}}
        """);
    write(
        dir,
        "routers/color.json",
        """
        {"meshName": "shop", "virtualRouterName": "color",
         "spec": {"listeners": [{"portMapping": {"port": 9100, "protocol": "http"}}]}}
        """);
    write(dir, "routes/main.json", route("main", "/", "blue", 2));
    write(dir, "routes/green.json", route("green", "/green", "green", 1));
    return dir;
  }

  private static String node(String name, int port, String backend) {
    return """
        {"meshName": "shop", "virtualNodeName": "%s",
         "spec": {"listeners": [{"portMapping": {"port": %d, "protocol": "http"}}],
                  "serviceDiscovery": {"dns": {"hostname": "127.0.0.1"}},
                  "backends": [%s]}}
        """
        .formatted(
            name,
            port,
            backend == null
                ? ""
                : "{\"virtualService\": {\"virtualServiceName\": \"" + backend + "\"}}");
  }

  private static String route(String name, String prefix, String target, int priority) {
    return """
        {"meshName": "shop", "virtualRouterName": "color", "routeName": "%s",
         "spec": {"priority": %d, "httpRoute": {"match": {"prefix": "%s"},
                  "action": {"weightedTargets": [{"virtualNode": "%s", "weight": 1}]}}}}
        """
        .formatted(name, priority, prefix, target);
  }

  private static void write(Path dir, String file, String text) throws Exception {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, text);
  }

  /** {@code mesh serve} with {@code options} (in {@code pod} if given), once it is ready. */
  private Process serve(Path dir, @Nullable Netns pod, int admin, String... options)
      throws Exception {
    Path log = tmp.resolve("serve-" + admin + ".log");
    List<String> argv =
        new ArrayList<>(List.of("mesh", "serve", dir.toString(), "--admin", "127.0.0.1:" + admin));
    argv.addAll(List.of(options));
    Process serve = processes.meshboot(log, Map.of(), pod, argv.toArray(String[]::new));
    Local.waitUntil(
        serve,
        () ->
            (pod == null ? Local.get(admin, "/ready") : MeshProcesses.page(pod, admin, "/ready"))
                .startsWith("ready"),
        log,
        "mesh serve ready",
        Duration.ofSeconds(30));
    return serve;
  }

  /** The bootstrap meshboot renders for {@code node}, its admin on {@code adminPort}. */
  private Path bootstrap(String node, int adminPort, Map<String, String> environment)
      throws Exception {
    Path bootstrap =
        Files.createDirectories(tmp.resolve("envoy-" + adminPort)).resolve("envoy.json");
    MeshProcesses.bootstrap(
        bootstrap, "arn:aws:appmesh:us-west-2:111122223333:" + node, adminPort, environment);
    return bootstrap;
  }

  private Process envoy(Netns pod, Path bootstrap, int adminPort) throws Exception {
    Path log = bootstrap.resolveSibling("envoy.log");
    Process envoy = processes.envoy(pod, bootstrap, log);
    Wait.until(
        "Envoy LIVE",
        Duration.ofSeconds(30),
        Duration.ofMillis(100),
        () -> MeshProcesses.page(pod, adminPort, "/ready").strip().equals("LIVE"),
        envoy::isAlive,
        () ->
            "Envoy's /ready: "
                + MeshProcesses.page(pod, adminPort, "/ready")
                + "\n"
                + MeshProcesses.read(log));
    return envoy;
  }

  private void acknowledgedWithoutNack(Netns pod, int admin, String node) throws Exception {
    Wait.until(
        "every response to " + node + " ACKed",
        Duration.ofSeconds(5),
        () -> MeshProcesses.node(pod, admin, node).get("pending").getAsInt() == 0);
    assertThat(MeshProcesses.node(pod, admin, node).get("nacks").getAsInt()).isZero();
  }

  @Test
  void envoysGetTheirNodesConfigurationOverTcpAndAUnixSocket() throws Exception {
    Path dir = definition();
    // State-of-the-world over TCP: the control plane in cart's pod, on its loopback.
    Netns cartPod = pod();
    app(cartPod, 9101, "blue");
    int admin = Local.freePort();
    int xds = Local.freePort();
    serve(dir, cartPod, admin, "--listen", "127.0.0.1:" + xds);
    int cartAdmin = Local.freePort();
    envoy(
        cartPod,
        bootstrap(CART, cartAdmin, Map.of("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + xds)),
        cartAdmin);

    assertThat(get(cartPod, "/", "color.shop.local")).isEqualTo("200 blue");
    assertThat(MeshProcesses.page(cartPod, cartAdmin, "/clusters"))
        .contains("cds_egress_shop_blue_http_9101")
        .contains("cds_ingress_shop_cart_http_9080");
    assertThat(MeshProcesses.page(cartPod, cartAdmin, "/listeners"))
        .contains("lds_ingress_0.0.0.0_15000")
        .contains("lds_egress_0.0.0.0_15001");
    acknowledgedWithoutNack(cartPod, admin, CART);
    assertThat(MeshProcesses.page(cartPod, admin, "/stats/prometheus"))
        .contains("meshboot_mesh_streams{node=\"" + CART + "\"} 1")
        .contains("meshboot_mesh_nacks_total{node=\"" + CART + "\"} 0");

    // Delta over a unix socket: a control plane in this namespace, payments' Envoy in its pod.
    Netns paymentsPod = pod();
    app(paymentsPod, 9103, "ledger");
    Path socket = tmp.resolve("xds.sock");
    int unixAdmin = Local.freePort();
    serve(dir, null, unixAdmin, "--socket", socket.toString());
    assertThat(Files.getPosixFilePermissions(socket)).hasToString("[OWNER_READ, OWNER_WRITE]");
    int paymentsAdmin = Local.freePort();
    Path bootstrap =
        bootstrap(PAYMENTS, paymentsAdmin, Map.of("APPMESH_XDS_ENDPOINT", "unix://" + socket));
    String delta =
        Files.readString(bootstrap)
            .replace("\"api_type\": \"GRPC\"", "\"api_type\": \"DELTA_GRPC\"");
    assertThat(delta).contains("DELTA_GRPC");
    Files.writeString(bootstrap, delta);
    envoy(paymentsPod, bootstrap, paymentsAdmin);

    assertThat(get(paymentsPod, "/", "ledger.shop.local")).isEqualTo("200 ledger");
    acknowledgedWithoutNack(null, unixAdmin, PAYMENTS);
    assertThat(MeshProcesses.status(null, unixAdmin).getAsJsonObject("nodes").keySet())
        .contains(CART, PAYMENTS, "mesh/shop/virtualNode/blue");
  }

  @Test
  void aRouteChangeReachesTheEnvoyRoutingThroughItWithinASecondWithNoFailedRequest()
      throws Exception {
    Path dir = definition();
    Path socket = tmp.resolve("xds.sock");
    int admin = Local.freePort();
    serve(dir, null, admin, "--socket", socket.toString());
    Map<String, String> env = Map.of("APPMESH_XDS_ENDPOINT", "unix://" + socket);
    Netns cartPod = pod();
    app(cartPod, 9101, "blue");
    app(cartPod, 9102, "green");
    int cartAdmin = Local.freePort();
    envoy(cartPod, bootstrap(CART, cartAdmin, env), cartAdmin);
    Netns paymentsPod = pod();
    app(paymentsPod, 9103, "ledger");
    int paymentsAdmin = Local.freePort();
    envoy(paymentsPod, bootstrap(PAYMENTS, paymentsAdmin, env), paymentsAdmin);
    assertThat(get(cartPod, "/", "color.shop.local")).isEqualTo("200 blue");
    assertThat(get(cartPod, "/green", "color.shop.local")).isEqualTo("200 green");
    assertThat(get(paymentsPod, "/", "ledger.shop.local")).isEqualTo("200 ledger");
    acknowledgedWithoutNack(null, admin, PAYMENTS);
    int paymentsPushes = MeshProcesses.node(null, admin, PAYMENTS).get("pushes").getAsInt();

    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicLong seenAt = new AtomicLong();
    AtomicLong requests = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread loop =
        Thread.ofPlatform()
            .name("requests")
            .start(
                () -> {
                  long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                  while (running.get() && System.nanoTime() < end) {
                    String color = get(cartPod, "/", "color.shop.local");
                    long at = System.nanoTime();
                    String ledger = get(paymentsPod, "/", "ledger.shop.local");
                    requests.addAndGet(2);
                    if (color.equals("200 green")) {
                      seenAt.compareAndSet(0, at);
                    } else if (!color.equals("200 blue")) {
                      failures.add("cart: " + color);
                    }
                    if (!ledger.equals("200 ledger")) {
                      failures.add("payments: " + ledger);
                    }
                  }
                });
    Thread.sleep(500);
    long changedAt = System.nanoTime();
    write(dir, "routes/main.json", route("main", "/", "green", 2));
    Wait.until("cart's / answered by green", Duration.ofSeconds(5), () -> seenAt.get() != 0);
    Thread.sleep(500);
    running.set(false);
    loop.join(10_000);

    assertThat(Duration.ofNanos(seenAt.get() - changedAt)).isLessThan(Duration.ofSeconds(1));
    assertThat(failures).isEmpty();
    assertThat(requests.get()).isGreaterThan(10);
    assertThat(get(cartPod, "/", "color.shop.local")).isEqualTo("200 green");
    JsonObject last = MeshProcesses.status(null, admin).getAsJsonObject("lastChange");
    assertThat(last.getAsJsonArray("changed")).hasSize(1);
    assertThat(last.getAsJsonArray("changed").get(0).getAsString()).isEqualTo(CART);
    assertThat(last.get("translated").getAsInt()).as("only cart reads router color").isEqualTo(1);
    acknowledgedWithoutNack(null, admin, CART);
    assertThat(MeshProcesses.node(null, admin, PAYMENTS).get("pushes").getAsInt())
        .as("payments does not route through color: its Envoy was sent nothing more")
        .isEqualTo(paymentsPushes);
  }

  @Test
  void aClientCertificateOfOneNodeCannotFetchAnothersConfiguration() throws Exception {
    Path dir = definition();
    TestPki pki = TestPki.create(tmp.resolve("pki"), "ca");
    TestPki.Issued server = pki.issue("server", "ip:127.0.0.1");
    TestPki.Issued cart = pki.issue("cart", "uri:spiffe://shop.test/" + CART);
    Netns pod = pod();
    app(pod, 9101, "blue");
    int admin = Local.freePort();
    int xds = Local.freePort();
    serve(
        dir,
        pod,
        admin,
        "--listen",
        "127.0.0.1:" + xds,
        "--tls-cert",
        server.certificate().toString(),
        "--tls-key",
        server.key().toString(),
        "--client-ca",
        pki.caFile().toString());
    Map<String, String> env =
        Map.of(
            "APPMESH_XDS_ENDPOINT",
            "127.0.0.1:" + xds,
            "MESHBOOT_XDS_TLS",
            "true",
            "MESHBOOT_XDS_CA_FILE",
            pki.caFile().toString());

    // The cart certificate as cart: served.
    int cartAdmin = Local.freePort();
    envoy(pod, withClientCertificate(CART, cartAdmin, env, cart), cartAdmin);
    assertThat(get(pod, "/", "color.shop.local")).isEqualTo("200 blue");

    // The cart certificate as payments: refused, and Envoy gets nothing (no listener: it can
    // share the pod).
    int thiefAdmin = Local.freePort();
    Path thiefBootstrap = withClientCertificate(PAYMENTS, thiefAdmin, env, cart);
    Path thiefLog = thiefBootstrap.resolveSibling("envoy.log");
    Process thief = processes.envoy(pod, thiefBootstrap, thiefLog);
    Wait.until(
        "the stream refused",
        Duration.ofSeconds(15),
        () ->
            MeshProcesses.status(pod, admin)
                .getAsJsonObject("refusedStreams")
                .has("PERMISSION_DENIED"));
    Wait.until(
        "Envoy's log of the refusal",
        Duration.ofSeconds(10),
        () -> MeshProcesses.read(thiefLog).contains("does not name node " + PAYMENTS));
    assertThat(thief.isAlive()).isTrue();
    assertThat(MeshProcesses.page(pod, thiefAdmin, "/ready")).isNotEqualTo("LIVE");
    assertThat(MeshProcesses.page(pod, thiefAdmin, "/clusters"))
        .doesNotContain("cds_ingress_shop_payments");
    assertThat(MeshProcesses.read(tmp.resolve("serve-" + admin + ".log")))
        .contains("ADS stream refused")
        .contains("PERMISSION_DENIED");
    thief.destroy();
    thief.waitFor(10, TimeUnit.SECONDS);
  }

  /** The bootstrap of {@code node}, its xDS TLS presenting {@code certificate}. */
  private Path withClientCertificate(
      String node, int adminPort, Map<String, String> env, TestPki.Issued certificate)
      throws Exception {
    Path bootstrap = bootstrap(node, adminPort, env);
    String text = Files.readString(bootstrap);
    String anchor = "\"validation_context\": {";
    assertThat(text).contains(anchor);
    Files.writeString(
        bootstrap,
        text.replace(
            anchor,
            "\"tls_certificates\": [{\"certificate_chain\": {\"filename\": \""
                + certificate.certificate()
                + "\"}, \"private_key\": {\"filename\": \""
                + certificate.key()
                + "\"}}], "
                + anchor));
    return bootstrap;
  }
}
