package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.mesh.serve.TestMesh;
import dev.meshboot.testing.TestPki;
import dev.meshboot.testing.Wait;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshboot mesh serve} as a process, real Envoys connected to it: each gets its node's
 * configuration (state-of-the-world over TCP, delta over a unix socket) and goes LIVE without a
 * NACK; a change reaches connected Envoys within a second with no failed request; a client
 * certificate of one node cannot fetch another's configuration.
 */
class MeshServeIT {

  @TempDir Path tmp;
  private final MeshProcesses processes = new MeshProcesses();

  @AfterEach
  void stop() throws InterruptedException {
    processes.stop();
  }

  private Path definition(int cartPort, int paymentsPort) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mesh"));
    TestMesh.writeNode(dir, "shop", "cart", cartPort, "cart v1");
    TestMesh.writeNode(dir, "shop", "payments", paymentsPort, "payments v1");
    return dir;
  }

  /** {@code mesh serve} with {@code options}, once its admin API says it is ready. */
  private Process serve(Path dir, int admin, String... options) throws Exception {
    Path log = tmp.resolve("serve.log");
    List<String> argv =
        new java.util.ArrayList<>(
            List.of("mesh", "serve", dir.toString(), "--admin", "127.0.0.1:" + admin));
    argv.addAll(List.of(options));
    Process serve = processes.meshboot(log, Map.of(), argv.toArray(String[]::new));
    Local.waitUntil(
        serve,
        () -> Local.get(admin, "/ready").startsWith("ready"),
        log,
        "mesh serve ready",
        Duration.ofSeconds(30));
    return serve;
  }

  private Process envoy(String node, int adminPort, Map<String, String> environment)
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("envoy-" + adminPort));
    Path bootstrap = dir.resolve("envoy.json");
    MeshProcesses.bootstrap(bootstrap, node, adminPort, environment);
    return envoy(bootstrap, adminPort);
  }

  private Process envoy(Path bootstrap, int adminPort) throws Exception {
    Path log = bootstrap.resolveSibling("envoy.log");
    Process envoy = processes.envoy(bootstrap, log);
    Wait.until(
        "Envoy LIVE",
        Duration.ofSeconds(30),
        Duration.ofMillis(100),
        () -> Local.ready(adminPort).equals("LIVE"),
        envoy::isAlive,
        () -> "Envoy's /ready: " + Local.ready(adminPort) + "\n" + MeshProcesses.read(log));
    return envoy;
  }

  @Test
  void envoysGetTheirNodesConfigurationOverTcpAndAUnixSocket() throws Exception {
    int cartPort = Local.freePort();
    int paymentsPort = Local.freePort();
    Path dir = definition(cartPort, paymentsPort);
    int admin = Local.freePort();
    int xds = Local.freePort();
    serve(dir, admin, "--listen", "127.0.0.1:" + xds);
    int cartAdmin = Local.freePort();

    envoy(MeshProcesses.CART, cartAdmin, Map.of("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + xds));

    assertThat(MeshProcesses.answer(cartPort)).isEqualTo("200 cart v1");
    assertThat(Local.get(cartAdmin, "/clusters")).contains("cds_ingress_shop_cart_http_");
    Wait.until(
        "every response ACKed",
        Duration.ofSeconds(5),
        () ->
            MeshProcesses.node(admin, "mesh/shop/virtualNode/cart").get("pending").getAsInt() == 0);
    assertThat(MeshProcesses.node(admin, "mesh/shop/virtualNode/cart").get("nacks").getAsInt())
        .isZero();
    assertThat(Local.get(admin, "/stats/prometheus"))
        .contains("meshboot_mesh_streams{node=\"mesh/shop/virtualNode/cart\"} 1")
        .contains("meshboot_mesh_nacks_total{node=\"mesh/shop/virtualNode/cart\"} 0");

    // Delta xDS over a unix socket: a second server on the same definition.
    Path socket = tmp.resolve("xds.sock");
    int unixAdmin = Local.freePort();
    serve(dir, unixAdmin, "--socket", socket.toString());
    assertThat(Files.getPosixFilePermissions(socket))
        .hasToString("[OWNER_READ, OWNER_WRITE]")
        .isNotNull();
    int paymentsAdmin = Local.freePort();
    Path bootstrap = Files.createDirectories(tmp.resolve("payments")).resolve("envoy.json");
    MeshProcesses.bootstrap(
        bootstrap,
        MeshProcesses.PAYMENTS,
        paymentsAdmin,
        Map.of("APPMESH_XDS_ENDPOINT", "unix://" + socket));
    String delta =
        Files.readString(bootstrap)
            .replace("\"api_type\": \"GRPC\"", "\"api_type\": \"DELTA_GRPC\"");
    assertThat(delta).contains("DELTA_GRPC");
    Files.writeString(bootstrap, delta);
    envoy(bootstrap, paymentsAdmin);

    assertThat(MeshProcesses.answer(paymentsPort)).isEqualTo("200 payments v1");
    Wait.until(
        "every delta response ACKed",
        Duration.ofSeconds(5),
        () ->
            MeshProcesses.node(unixAdmin, "mesh/shop/virtualNode/payments")
                    .get("pending")
                    .getAsInt()
                == 0);
    assertThat(
            MeshProcesses.node(unixAdmin, "mesh/shop/virtualNode/payments").get("nacks").getAsInt())
        .isZero();
  }

  @Test
  void aChangeReachesConnectedEnvoysWithinASecondWithNoFailedRequest() throws Exception {
    int cartPort = Local.freePort();
    int paymentsPort = Local.freePort();
    Path dir = definition(cartPort, paymentsPort);
    int admin = Local.freePort();
    int xds = Local.freePort();
    serve(dir, admin, "--listen", "127.0.0.1:" + xds);
    Map<String, String> env = Map.of("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + xds);
    envoy(MeshProcesses.CART, Local.freePort(), env);
    envoy(MeshProcesses.PAYMENTS, Local.freePort(), env);
    assertThat(MeshProcesses.answer(cartPort)).isEqualTo("200 cart v1");

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
                    for (int port : new int[] {cartPort, paymentsPort}) {
                      HttpResponse<String> response = MeshProcesses.request(port, "/");
                      requests.incrementAndGet();
                      if (response == null || response.statusCode() != 200) {
                        failures.add(
                            port + ": " + (response == null ? "no answer" : response.statusCode()));
                      } else if (response.body().equals("cart v2") && seenAt.get() == 0) {
                        seenAt.set(System.nanoTime());
                      }
                    }
                  }
                });
    Thread.sleep(500);
    long changedAt = System.nanoTime();
    TestMesh.writeNode(dir, "shop", "cart", cartPort, "cart v2");
    Wait.until("cart v2 answered", Duration.ofSeconds(5), () -> seenAt.get() != 0);
    Thread.sleep(500);
    running.set(false);
    loop.join(10_000);

    assertThat(Duration.ofNanos(seenAt.get() - changedAt)).isLessThan(Duration.ofSeconds(1));
    assertThat(failures).isEmpty();
    assertThat(requests.get()).isGreaterThan(20);
    assertThat(MeshProcesses.answer(paymentsPort)).isEqualTo("200 payments v1");
    assertThat(MeshProcesses.node(admin, "mesh/shop/virtualNode/payments").get("pushes").getAsInt())
        .as("payments did not change: its Envoy got its three responses and nothing more")
        .isEqualTo(3);
  }

  @Test
  void aClientCertificateOfOneNodeCannotFetchAnothersConfiguration() throws Exception {
    int cartPort = Local.freePort();
    Path dir = definition(cartPort, Local.freePort());
    TestPki pki = TestPki.create(Files.createDirectories(tmp.resolve("pki")));
    TestPki.Issued server = pki.issue("server", "ip:127.0.0.1");
    TestPki.Issued cart = pki.issue("cart", "uri:spiffe://shop.test/mesh/shop/virtualNode/cart");
    int admin = Local.freePort();
    int xds = Local.freePort();
    serve(
        dir,
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
    Path cartBootstrap = withClientCertificate(MeshProcesses.CART, cartAdmin, env, cart);
    envoy(cartBootstrap, cartAdmin);
    assertThat(MeshProcesses.answer(cartPort)).isEqualTo("200 cart v1");

    // The cart certificate as payments: refused, and Envoy gets nothing.
    int thiefAdmin = Local.freePort();
    Path thiefBootstrap = withClientCertificate(MeshProcesses.PAYMENTS, thiefAdmin, env, cart);
    Path thiefLog = thiefBootstrap.resolveSibling("envoy.log");
    Process thief = processes.envoy(thiefBootstrap, thiefLog);
    Wait.until(
        "the stream refused",
        Duration.ofSeconds(15),
        () ->
            MeshProcesses.status(admin).getAsJsonObject("refusedStreams").has("PERMISSION_DENIED"));
    Wait.until(
        "Envoy's log of the refusal",
        Duration.ofSeconds(10),
        () ->
            MeshProcesses.read(thiefLog)
                .contains("does not name node mesh/shop/virtualNode/payments"));
    assertThat(thief.isAlive()).isTrue();
    assertThat(Local.ready(thiefAdmin)).isNotEqualTo("LIVE");
    assertThat(Local.get(thiefAdmin, "/clusters")).doesNotContain("cds_ingress_shop_payments");
    assertThat(MeshProcesses.read(tmp.resolve("serve.log")))
        .contains("ADS stream refused")
        .contains("PERMISSION_DENIED");
    thief.destroy();
    thief.waitFor(10, TimeUnit.SECONDS);
  }

  /** The bootstrap of {@code node}, its xDS TLS presenting {@code certificate}. */
  private Path withClientCertificate(
      String node, int adminPort, Map<String, String> env, TestPki.Issued certificate)
      throws Exception {
    Path bootstrap =
        Files.createDirectories(tmp.resolve("envoy-" + adminPort)).resolve("envoy.json");
    MeshProcesses.bootstrap(bootstrap, node, adminPort, env);
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
