package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import java.io.IOException;
import java.net.InetAddress;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshboot run} as a real process supervising a real Envoy. */
class RunIT {

  static final String ARN = "arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/cart";

  private Process meshboot;
  private Server server;

  @AfterEach
  void stop() throws InterruptedException {
    Local.stop(meshboot, server);
  }

  @Test
  void restartsAKilledEnvoyAndDrainsItOnSigterm(@TempDir Path tmp) throws Exception {
    server = Local.controlPlane(ControlPlaneIT.snapshot());
    int admin = Local.freePort();
    int api = Local.freePort();
    Map<String, String> probe =
        Map.of(
            "APPNET_AGENT_HTTP_PORT", Integer.toString(api),
            "APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S", "1",
            "APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S", "30");
    Path log = tmp.resolve("meshboot.log");
    meshboot =
        start(
            tmp,
            log,
            Map.of(
                "APPMESH_XDS_ENDPOINT",
                "127.0.0.1:" + server.getPort(),
                "ENVOY_ADMIN_ACCESS_PORT",
                Integer.toString(admin),
                "APPNET_AGENT_ADMIN_MODE",
                "tcp",
                "APPNET_AGENT_HTTP_PORT",
                Integer.toString(api)));

    Cli.Result waited = Cli.run(probe, "wait-ready");
    assertThat(waited.exitCode()).as(waited.stderr() + Files.readString(log)).isZero();
    assertThat(Cli.run(probe, "healthcheck").exitCode()).isZero();

    waitUntil(() -> "LIVE".equals(Local.ready(admin)), log, "Envoy LIVE");
    ProcessHandle first = envoy().orElseThrow();
    first.destroyForcibly();
    waitUntil(
        () ->
            envoy().map(e -> e.pid() != first.pid()).orElse(false)
                && "LIVE".equals(Local.ready(admin)),
        log,
        "a restarted Envoy LIVE");
    assertThat(Files.readString(log))
        .contains("envoy exited; restarting")
        .contains("signal (exit 137, signal 9)");
    String status = get(api, "/status");
    assertThat(status)
        .contains("\"envoyRestartCount\": 1")
        .contains("\"classification\": \"SIGNAL\"");
    assertThat(get(api, "/stats/prometheus?filter=metrics_extension"))
        .contains("meshboot_envoy_exits_total{classification=\"signal\"} 1");

    ProcessHandle second = envoy().orElseThrow();
    long start = System.nanoTime();
    meshboot.destroy();
    assertThat(meshboot.waitFor(20, TimeUnit.SECONDS))
        .as("meshboot exits within the drain bound")
        .isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    assertThat(meshboot.exitValue()).as(Files.readString(log)).isZero();
    assertThat(second.isAlive()).isFalse();
    assertThat(Files.readString(log))
        .contains("draining inbound listeners")
        .contains("envoy stopped");
    Cli.Result after = Cli.run(probe, "healthcheck");
    assertThat(after.exitCode()).isEqualTo(9);
    assertThat(after.stderr()).contains("does not answer");
  }

  @Test
  void aCrashingEnvoySpendsTheRestartBudgetAndEndsTheRunWithExit7(@TempDir Path tmp)
      throws Exception {
    server = Local.controlPlane(ControlPlaneIT.snapshot());
    int admin = Local.freePort();
    Path log = tmp.resolve("meshboot.log");
    meshboot =
        start(
            tmp,
            log,
            Map.of(
                "APPMESH_XDS_ENDPOINT",
                "127.0.0.1:" + server.getPort(),
                "ENVOY_ADMIN_ACCESS_PORT",
                Integer.toString(admin),
                "APPNET_ENVOY_RESTART_COUNT",
                "1"));
    // Envoy's crash handler prints a backtrace and dies of the signal, as a real crash does.
    for (int crash = 1; crash <= 2; crash++) {
      waitUntil(() -> "LIVE".equals(Local.ready(admin)), log, "Envoy LIVE");
      long pid = envoy().orElseThrow().pid();
      new ProcessBuilder("kill", "-SEGV", Long.toString(pid)).start().waitFor();
      if (crash == 1) {
        waitUntil(() -> envoy().map(e -> e.pid() != pid).orElse(false), log, "a restarted Envoy");
      }
    }
    assertThat(meshboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(meshboot.exitValue()).as(Files.readString(log)).isEqualTo(7);
    String output = Files.readString(log);
    assertThat(output.split("envoy started", -1)).hasSize(3);
    assertThat(output)
        .contains("envoy exited; not restarting")
        .contains("crash")
        .contains("Caught Segmentation fault");
  }

  @Test
  void aBootstrapTheRenderingChildRefusesEndsTheRunWithItsExitCode(@TempDir Path tmp)
      throws Exception {
    Path log = tmp.resolve("meshboot.log");
    meshboot =
        start(
            tmp,
            log,
            Map.of("APPMESH_XDS_ENDPOINT", "127.0.0.1:1", "APPMESH_RESOURCE_ARN", "not-an-arn"));
    assertThat(meshboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(meshboot.exitValue()).as(Files.readString(log)).isEqualTo(3);
    assertThat(Files.readString(log))
        .contains("APPMESH_RESOURCE_ARN")
        .doesNotContain("envoy started");
    assertThat(tmp.resolve("envoy.json")).doesNotExist();
  }

  @Test
  void servesTheApiAndReachesEnvoysAdminOverUnixSockets(@TempDir Path tmp) throws Exception {
    server = Local.controlPlane(ControlPlaneIT.snapshot());
    Path adminSocket = tmp.resolve("envoy_admin.sock");
    Path apiSocket = tmp.resolve("ecs/appnet_admin.sock");
    Map<String, String> probe =
        Map.of(
            "APPNET_AGENT_ADMIN_MODE", "uds",
            "APPNET_AGENT_ADMIN_UDS_PATH", apiSocket.toString(),
            "APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S", "1",
            "APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S", "30");
    Path log = tmp.resolve("meshboot.log");
    Map<String, String> environment = new HashMap<>(probe);
    environment.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + server.getPort());
    environment.put("ENVOY_ADMIN_MODE", "uds");
    environment.put("ENVOY_ADMIN_UDS_PATH", adminSocket.toString());
    meshboot = start(tmp, log, environment);

    Cli.Result waited = Cli.run(probe, "wait-ready");
    assertThat(waited.exitCode()).as(waited.stderr() + Files.readString(log)).isZero();
    Cli.Result healthy = Cli.run(probe, "healthcheck");
    assertThat(healthy.exitCode()).as(healthy.stderr()).isZero();
    assertThat(healthy.stdout())
        .contains("\"envoyState\": \"LIVE\"")
        .containsPattern("\"envoyVersion\": \"[0-9a-f]+/\\d+\\.\\d+\\.\\d+/")
        .contains("\"cluster_manager.cds.update_success\": 1");
    assertThat(Files.getPosixFilePermissions(apiSocket))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

    dev.meshboot.http.HttpClient api =
        new dev.meshboot.http.HttpClient(
            dev.meshboot.testing.SharedTransport.get(),
            new dev.meshboot.io.SocketEndpoint.Unix(apiSocket));
    String all = api.send("GET", "/stats/prometheus", Duration.ofSeconds(5)).body();
    assertThat(all).contains("envoy_server_live").contains("meshboot_healthy 1");
    String filtered =
        api.send("GET", "/stats/prometheus?filter=metrics_extension", Duration.ofSeconds(5)).body();
    assertThat(filtered).doesNotContain("envoy_server_live").contains("meshboot_healthy 1");

    meshboot.destroy();
    assertThat(meshboot.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(meshboot.exitValue()).as(Files.readString(log)).isZero();
    assertThat(Files.readString(log))
        .as("drained through Envoy's admin socket")
        .contains("draining inbound listeners")
        .doesNotContain("cannot drain");
    assertThat(apiSocket).as("the API socket is removed").doesNotExist();
  }

  @Test
  void drainsOnSigtermWithoutFailingARequestOnAKeepAliveConnection(@TempDir Path tmp)
      throws Exception {
    int listener = Local.freePort();
    server = Local.controlPlane(ControlPlaneIT.snapshot(listener));
    int admin = Local.freePort();
    Path log = tmp.resolve("meshboot.log");
    meshboot =
        start(
            tmp,
            log,
            Map.of(
                "APPMESH_XDS_ENDPOINT",
                "127.0.0.1:" + server.getPort(),
                "ENVOY_ADMIN_ACCESS_PORT",
                Integer.toString(admin)));
    URI app = URI.create("http://127.0.0.1:" + listener + "/");
    waitUntil(() -> get(listener, "/").startsWith("served"), log, "the listener serving");

    java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean sending =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    HttpClient keepAlive = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Thread client =
        Thread.ofPlatform()
            .name("keep-alive-client")
            .start(
                () -> {
                  while (sending.get()) {
                    try {
                      int status =
                          keepAlive
                              .send(
                                  HttpRequest.newBuilder(app).build(),
                                  HttpResponse.BodyHandlers.ofString())
                              .statusCode();
                      if (status == 200) {
                        ok.incrementAndGet();
                      } else {
                        failures.add("HTTP " + status);
                      }
                      Thread.sleep(20);
                    } catch (IOException e) {
                      failures.add(e.toString());
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    Thread.sleep(500);
    long start = System.nanoTime();
    meshboot.destroy();
    // Draining: Envoy answers with "connection: close" and counts it.
    waitUntil(
        () ->
            get(admin, "/stats?filter=http.ingress.downstream_cx_drain_close")
                .matches("(?s).*: [1-9].*"),
        log,
        "Envoy closing keep-alive connections as it drains");
    Thread.sleep(1000);
    sending.set(false);
    client.join(5000);
    assertThat(failures).as("requests that failed during the drain").isEmpty();
    assertThat(ok.get()).isGreaterThan(20);
    assertThat(meshboot.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("within the 5 s drain bound plus the stop steps")
        .isLessThan(Duration.ofSeconds(15));
    assertThat(meshboot.exitValue()).isZero();
    assertThat(meshboot.descendants().count()).isZero();
  }

  @Test
  void reportsAConfigurationEnvoyRejectsAndDoesNotRetryIt(@TempDir Path tmp) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path resources = tmp.resolve("resources.yaml");
      Files.writeString(
          resources,
          """
          static_resources:
            listeners:
              - name: taken
                address: {socket_address: {address: 127.0.0.1, port_value: %d}}
                filter_chains:
                  - filters:
                      - name: envoy.filters.network.tcp_proxy
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                          stat_prefix: taken
                          cluster: nowhere
          """
              .formatted(taken.getLocalPort()));
      Path log = tmp.resolve("meshboot.log");
      meshboot =
          start(
              tmp,
              log,
              Map.of(
                  "APPMESH_XDS_ENDPOINT", "127.0.0.1:1",
                  "ENVOY_ADMIN_ACCESS_PORT", Integer.toString(Local.freePort()),
                  "ENVOY_RESOURCES_CONFIG_FILE", resources.toString()));
      assertThat(meshboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(meshboot.exitValue()).as(output).isEqualTo(8);
      assertThat(output).contains("config_rejected").contains("not restarting");
      assertThat(output.split("envoy started", -1)).hasSize(2);
    }
  }

  /**
   * A complete static ENVOY_CONFIG_FILE never uses the relay: in the default auto mode, with an App
   * Mesh region and no usable AWS credentials, meshboot runs it without starting the relay or
   * looking for credentials (the written bootstrap decides, not the environment); Envoy sees none
   * of the credentials in meshboot's environment; the static configuration is ready once Envoy is
   * LIVE (nothing comes over xDS); SIGHUP drains and stops it like SIGTERM.
   */
  @Test
  void aStaticConfigFileRunsWithoutTheRelayOrCredentials(@TempDir Path tmp) throws Exception {
    int listener = Local.freePort();
    int admin = Local.freePort();
    Path config = tmp.resolve("static.yaml");
    Files.writeString(config, staticConfig(admin, listener, "static"));
    Path log = tmp.resolve("meshboot.log");
    meshboot =
        start(
            tmp,
            log,
            Map.of(
                "ENVOY_CONFIG_FILE", config.toString(),
                "ENVOY_ADMIN_ACCESS_PORT", Integer.toString(admin),
                "AWS_REGION", "us-west-2",
                "AWS_EC2_METADATA_DISABLED", "true",
                "MESHBOOT_XDS_RELAY_SOCKET", tmp.resolve("relay.sock").toString(),
                "AWS_SECRET_ACCESS_KEY", "static-secret-never-for-envoy",
                "AWS_SESSION_TOKEN", "static-token-never-for-envoy",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN", "static-auth-never-for-envoy",
                "APPNET_AGENT_ADMIN_MODE", "uds",
                "APPNET_AGENT_ADMIN_UDS_PATH", tmp.resolve("api.sock").toString()));
    waitUntil(() -> get(listener, "/").equals("static"), log, "the static listener serving");

    String environ =
        Files.readString(Path.of("/proc", Long.toString(envoy().orElseThrow().pid()), "environ"))
            .replace('\0', '\n');
    assertThat(environ)
        .contains("AWS_REGION=us-west-2")
        .doesNotContain("AWS_SECRET_ACCESS_KEY")
        .doesNotContain("AWS_SESSION_TOKEN")
        .doesNotContain("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        .doesNotContain("never-for-envoy");
    Cli.Result ready =
        Cli.run(
            Map.of(
                "APPNET_AGENT_ADMIN_MODE",
                "uds",
                "APPNET_AGENT_ADMIN_UDS_PATH",
                tmp.resolve("api.sock").toString()),
            "wait-ready",
            "--timeout",
            "20",
            "--interval",
            "1");
    assertThat(ready.exitCode()).as(ready.stderr()).isZero();

    ProcessHandle envoy = envoy().orElseThrow();
    new ProcessBuilder("kill", "-HUP", Long.toString(meshboot.pid())).start().waitFor();
    assertThat(meshboot.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(log);
    assertThat(meshboot.exitValue()).as(output).isZero();
    assertThat(output).contains("SIGHUP").contains("draining");
    assertThat(envoy.isAlive()).isFalse();
    assertThat(output).doesNotContain("xDS relay listening").doesNotContain("credentials");
    assertThat(tmp.resolve("relay.sock")).doesNotExist();
  }

  /** A complete static bootstrap: {@code listener} answers every request with {@code body}. */
  static String staticConfig(int admin, int listener, String body) {
    return """
        admin:
          address: {socket_address: {address: 127.0.0.1, port_value: %d}}
        static_resources:
          listeners:
            - name: static
              address: {socket_address: {address: 127.0.0.1, port_value: %d}}
              filter_chains:
                - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: static
                        route_config:
                          virtual_hosts:
                            - name: all
                              domains: ["*"]
                              routes:
                                - match: {prefix: "/"}
                                  direct_response: {status: 200, body: {inline_string: "%s"}}
                        http_filters:
                          - name: envoy.filters.http.router
                            typed_config:
                              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        """
        .formatted(admin, listener, body);
  }

  /**
   * A user's whole bootstrap validated once is not validated again while its content, meshboot and
   * Envoy stay the same: the next run writes what the first wrote and starts Envoy without a
   * renderer. An edit is validated again: an invalid file is refused (exit 4, no Envoy), a valid
   * one is served, never the remembered one. The file's admin is not where the admin variables say
   * (no ENVOY_ADMIN_ACCESS_PORT): meshboot drains and stops Envoy through the file's.
   */
  @Test
  void aValidatedConfigFileIsNotValidatedAgainUntilItChanges(@TempDir Path tmp) throws Exception {
    int listener = Local.freePort();
    int admin = Local.freePort();
    Path config = tmp.resolve("static.yaml");
    Files.writeString(config, staticConfig(admin, listener, "first"));
    Map<String, String> environment =
        Map.of("ENVOY_CONFIG_FILE", config.toString(), "MESHBOOT_LOG_LEVEL", "debug");
    String validating = "using the whole bootstrap from ENVOY_CONFIG_FILE";
    String remembered = "ENVOY_CONFIG_FILE validated by an earlier start";

    String first = runUntilServed(tmp, "first.log", environment, listener, "first");
    assertThat(first).contains(validating).doesNotContain(remembered);
    assertThat(first)
        .contains("envoy's admin is where the bootstrap puts it")
        .contains("draining")
        .doesNotContain("cannot drain")
        .doesNotContain("cannot ask Envoy to quit");
    String written = Files.readString(tmp.resolve("envoy.json"));
    Path cache = tmp.resolve(".cache/meshboot");
    List<Path> entries;
    try (var files = Files.list(cache)) {
      entries = files.filter(f -> f.getFileName().toString().startsWith("validated-")).toList();
    }
    assertThat(entries).hasSize(1);
    assertThat(Files.getPosixFilePermissions(entries.get(0)))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

    Files.delete(tmp.resolve("envoy.json"));
    String second = runUntilServed(tmp, "second.log", environment, listener, "first");
    assertThat(second).contains(remembered).doesNotContain(validating);
    assertThat(Files.readString(tmp.resolve("envoy.json"))).isEqualTo(written);

    // an edit that breaks the file: validated again and refused, whatever was remembered
    Files.writeString(
        config, staticConfig(admin, listener, "broken").replace("stat_prefix:", "stat_prefx:"));
    meshboot = start(tmp, tmp.resolve("third.log"), environment);
    assertThat(meshboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String third = Files.readString(tmp.resolve("third.log"));
    assertThat(meshboot.exitValue()).as(third).isEqualTo(4);
    assertThat(third).contains("stat_prefx").doesNotContain(remembered);

    Files.writeString(config, staticConfig(admin, listener, "edited"));
    String fourth = runUntilServed(tmp, "fourth.log", environment, listener, "edited");
    assertThat(fourth).contains(validating).doesNotContain(remembered);
  }

  /** Runs meshboot until {@code listener} answers {@code body}, stops it; its log. */
  private String runUntilServed(
      Path tmp, String logName, Map<String, String> environment, int listener, String body)
      throws Exception {
    Path log = tmp.resolve(logName);
    meshboot = start(tmp, log, environment);
    waitUntil(() -> get(listener, "/").equals(body), log, "the static listener answering " + body);
    meshboot.destroy();
    assertThat(meshboot.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return Files.readString(log);
  }

  /**
   * Envoy must not outlive its supervisor: killed with SIGKILL, meshboot runs no handler, and the
   * parent-death signal takes Envoy down with it (else an orphan keeps its ports and the next start
   * fails). An empty ENVOY_CONFIG_FILE gets the generated bootstrap, which Envoy runs.
   */
  @Test
  void envoyDiesWithAKilledMeshbootAndAnEmptyConfigFileGetsTheBootstrap(@TempDir Path tmp)
      throws Exception {
    int listener = Local.freePort();
    server = Local.controlPlane(ControlPlaneIT.snapshot(listener));
    Path config = Files.createFile(tmp.resolve("envoy.yaml"));
    Path log = tmp.resolve("meshboot.log");
    meshboot =
        start(
            tmp,
            log,
            Map.of(
                "APPMESH_XDS_ENDPOINT", "127.0.0.1:" + server.getPort(),
                "ENVOY_ADMIN_ACCESS_PORT", Integer.toString(Local.freePort()),
                "ENVOY_CONFIG_FILE", config.toString()));
    waitUntil(() -> get(listener, "/").startsWith("served"), log, "the listener serving");
    assertThat(Files.readString(config)).contains("meshboot_xds").contains("ads_config");
    ProcessHandle envoy = envoy().orElseThrow();
    assertThat(envoy.info().arguments().map(List::of).orElse(List.of()))
        .contains(config.toString());

    meshboot.destroyForcibly();
    assertThat(meshboot.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(envoy.onExit().get(10, TimeUnit.SECONDS).isAlive())
        .as("Envoy killed with its supervisor")
        .isFalse();
  }

  /**
   * A stop while the run is starting stops what has started and starts nothing more: SIGTERM while
   * the renderer is still at work kills the renderer and ends the run at once, without Envoy.
   */
  @Test
  void aSigtermWhileRenderingKillsTheRendererAndStartsNoEnvoy(@TempDir Path tmp) throws Exception {
    Path pidFile = tmp.resolve("renderer.pid");
    Path log = tmp.resolve("meshboot.log");
    // A renderer that never finishes (the launcher's render command, one word per line).
    meshboot =
        start(
            tmp,
            log,
            Map.of(
                "APPMESH_XDS_ENDPOINT",
                "127.0.0.1:" + Local.freePort(),
                "MESHBOOT_RENDER_COMMAND",
                "sh\n-c\necho $$ > " + pidFile + "; exec sleep 120"));
    waitUntil(() -> Files.exists(pidFile) && Files.size(pidFile) > 0, log, "the renderer");
    ProcessHandle renderer =
        ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();
    long start = System.nanoTime();
    meshboot.destroy();
    assertThat(meshboot.waitFor(10, TimeUnit.SECONDS))
        .as("meshboot stops without waiting for the renderer")
        .isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    String output = Files.readString(log);
    assertThat(meshboot.exitValue()).as(output).isZero();
    assertThat(renderer.onExit().get(5, TimeUnit.SECONDS).isAlive())
        .as("no orphaned renderer")
        .isFalse();
    assertThat(output).contains("stopped before Envoy started").doesNotContain("starting envoy");
  }

  private Process start(Path tmp, Path log, Map<String, String> extra) throws IOException {
    return Local.meshbootRun(tmp, log, extra);
  }

  private static String get(int port, String path) {
    return Local.get(port, path);
  }

  private Optional<ProcessHandle> envoy() {
    return Local.envoyUnder(meshboot.toHandle());
  }

  private void waitUntil(dev.meshboot.testing.Wait.Check check, Path log, String what)
      throws Exception {
    Local.waitUntil(meshboot, check, log, what, Duration.ofSeconds(30));
  }
}
