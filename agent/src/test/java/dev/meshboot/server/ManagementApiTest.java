package dev.meshboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshboot.envoy.AdminClient;
import dev.meshboot.envoy.OomKills;
import dev.meshboot.envoy.RestartPolicy;
import dev.meshboot.envoy.Supervisor;
import dev.meshboot.health.HealthPoller;
import dev.meshboot.health.HealthState;
import dev.meshboot.http.HttpServer;
import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.testing.SharedTransport;
import dev.meshboot.testing.Wait;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The management API against a fake Envoy admin interface and a supervised {@code sleep}. */
class ManagementApiTest {

  private HttpServer envoyAdmin;
  private final List<String> adminCalls = new CopyOnWriteArrayList<>();
  private volatile String readyState = "LIVE";

  /** Series on the fake Envoy's streamed Prometheus page; 0: the small page. */
  private volatile int bigPage;

  /** Whether the fake Envoy's streamed page fails half way. */
  private volatile boolean pageFails;

  private Supervisor supervisor;
  private CompletableFuture<Supervisor.Outcome> run;
  private HealthPoller poller;
  private AdminClient admin;
  private ManagementApi api;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start(@TempDir Path tmp) throws Exception {
    // The fake Envoy admin listens on a unix socket (ENVOY_ADMIN_MODE=uds), the API on TCP.
    envoyAdmin =
        HttpServer.start(
            SharedTransport.get(),
            new SocketEndpoint.Unix(tmp.resolve("envoy_admin.sock")),
            request -> {
              adminCalls.add(request.method() + " " + request.uri());
              String path = request.uri().replaceFirst("\\?.*", "");
              if (path.equals("/stats/prometheus") && bigPage > 0) {
                return HttpServer.Response.streamed(200, "text/plain", this::writeBigPage);
              }
              String body =
                  switch (path) {
                    case "/ready" -> readyState;
                    case "/stats" ->
                        "control_plane.connected_state: 1\ncluster_manager.cds.update_success: 1\nlistener_manager.lds.update_success: 1\n";
                    case "/stats/prometheus" ->
                        "# TYPE envoy_appmesh_RequestCount counter\nenvoy_appmesh_RequestCount{} 4\n";
                    case "/server_info" ->
                        "{\"version\": \"0000/1.40.0/Clean/RELEASE/BoringSSL\", \"state\": \"LIVE\"}";
                    default -> "OK";
                  };
              return HttpServer.Response.text(200, body);
            },
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    Path script = Files.writeString(tmp.resolve("envoy.sh"), "#!/bin/sh\nexec sleep 60\n");
    script.toFile().setExecutable(true);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    admin = new AdminClient(SharedTransport.get(), envoyAdmin.endpoint());
    supervisor =
        new Supervisor(
            List.of(script.toString()),
            argv -> new ProcessBuilder(argv).start(),
            new RestartPolicy(
                1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMinutes(1), () -> 0.5),
            Optional.of(admin),
            new OomKills(tmp.resolve("memory.events")),
            new Supervisor.Shutdown(
                Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(2)),
            Clock.systemUTC(),
            new PrintStream(sink, true, StandardCharsets.UTF_8),
            new PrintStream(sink, true, StandardCharsets.UTF_8));
    run = CompletableFuture.supplyAsync(supervisor::run);
    Wait.until("the fake Envoy", Duration.ofSeconds(10), () -> supervisor.pid().isPresent());
    poller =
        new HealthPoller(
            admin,
            supervisor,
            new HealthState(Duration.ofHours(1), Instant.now()),
            Duration.ofSeconds(10),
            Clock.systemUTC());
    api =
        ManagementApi.start(
            SharedTransport.get(),
            new SocketEndpoint.Tcp("127.0.0.1", 0),
            supervisor,
            poller,
            admin,
            "info",
            Duration.ofMillis(300),
            Clock.systemUTC(),
            Optional::empty,
            supervisor::shutdown);
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
    supervisor.shutdown();
    supervisor.shutdown();
    run.get(10, TimeUnit.SECONDS);
    envoyAdmin.close();
  }

  private HttpResponse<String> call(String method, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://" + api.endpoint() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void statusAnswers200WhenHealthyAnd503WhenNot() throws Exception {
    HttpResponse<String> healthy = call("GET", "/status");
    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(healthy.body())
        .contains("\"healthStatus\": \"HEALTHY\"")
        .contains("\"envoyState\": \"LIVE\"")
        .contains("\"initialConfigUpdateStatus\": \"ACCEPTED\"")
        .contains("\"envoyVersion\": \"0000/1.40.0/Clean/RELEASE/BoringSSL\"")
        .contains("\"listener_manager.lds.update_success\": 1")
        .contains("\"envoyPid\": " + supervisor.pid().getAsLong());
    assertThat(call("GET", "/ready").statusCode()).isEqualTo(200);
    readyState = "DRAINING";
    Thread.sleep(HealthPoller.FRESH_NANOS / 1_000_000 + 50); // a newer poll than the last one
    assertThat(call("GET", "/status").statusCode()).isEqualTo(503);
    assertThat(call("GET", "/ready").statusCode()).isEqualTo(503);
    assertThat(call("GET", "/live").statusCode()).isEqualTo(200);
  }

  @Test
  void statusAnswersWhileEnvoysAdminDoesNot() throws Exception {
    envoyAdmin.close(); // as while a restarted Envoy starts: no poll has answered yet
    HttpResponse<String> status = call("GET", "/status");
    assertThat(status.statusCode()).as(status.body()).isEqualTo(503);
    assertThat(status.body())
        .contains("\"envoyState\": \"UNREACHABLE\"")
        .contains("\"xdsCounters\": {}");
  }

  @Test
  void parametersAndMethodsAreStrict() throws Exception {
    assertThat(call("GET", "/status?verbose").statusCode()).isEqualTo(400);
    assertThat(call("GET", "/status?verbose").body()).contains("unknown parameter \"verbose\"");
    assertThat(call("POST", "/status").statusCode()).isEqualTo(405);
    assertThat(call("GET", "/stats/prometheus?filter=all").statusCode()).isEqualTo(400);
    assertThat(call("GET", "/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void filtersPrometheusAndAppendsMeshbootsOwnMetrics() throws Exception {
    HttpResponse<String> response =
        call("GET", "/stats/prometheus?filter=metrics_extension&usedonly");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .startsWith("# TYPE RequestCount counter\nRequestCount{} 4\n")
        .contains("meshboot_healthy 1");
    assertThat(adminCalls).contains("GET /stats/prometheus?usedonly");
  }

  private void writeBigPage(java.io.OutputStream out) throws IOException {
    out.write("# TYPE envoy_cluster_upstream_rq_total counter\n".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < bigPage; i++) {
      if (pageFails && i == bigPage / 2) {
        throw new IOException("Envoy went away");
      }
      out.write(
          ("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"cluster-" + i + "\"} 7\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    out.write("# TYPE envoy_appmesh_RequestCount counter\n".getBytes(StandardCharsets.UTF_8));
    out.write("envoy_appmesh_RequestCount{} 4\n".getBytes(StandardCharsets.UTF_8));
  }

  /** A large mesh's page (200,000 series, ~14 MB) passes through whole, filtered or not. */
  @Test
  void aLargePagePassesThroughAsItArrives() throws Exception {
    bigPage = 200_000;
    String all = call("GET", "/stats/prometheus").body();
    assertThat(all.lines().filter(line -> line.endsWith("} 7")).count()).isEqualTo(200_000);
    assertThat(all).contains("envoy_appmesh_RequestCount{} 4\n").contains("meshboot_healthy 1");
    assertThat(call("GET", "/stats/prometheus?filter=metrics_extension").body())
        .startsWith("# TYPE RequestCount counter\nRequestCount{} 4\n# TYPE meshboot_");
  }

  /** A page that fails half way is not passed off as whole: the response is cut short. */
  @Test
  void aPageThatFailsHalfWayIsCutShort() {
    bigPage = 200_000;
    pageFails = true;
    assertThatThrownBy(() -> call("GET", "/stats/prometheus")).isInstanceOf(IOException.class);
  }

  @Test
  void takesNoSnapshotUntilDeltaIsAskedFor() throws Exception {
    Thread.sleep(300);
    assertThat(adminCalls).noneMatch(call -> call.startsWith("GET /stats/prometheus"));
    assertThat(call("GET", "/stats/prometheus?delta").body())
        .as("nothing to subtract yet")
        .contains("envoy_appmesh_RequestCount{} 4");
    Wait.until(
        "the first snapshot",
        Duration.ofSeconds(5),
        () -> adminCalls.stream().filter("GET /stats/prometheus"::equals).count() >= 2);
  }

  @Test
  void deltaSubtractsTheMinuteSnapshot() throws Exception {
    Wait.until(
        "a delta against the snapshot",
        Duration.ofSeconds(5),
        () ->
            call("GET", "/stats/prometheus?delta")
                .body()
                .contains("envoy_appmesh_RequestCount{} 0"));
    assertThat(call("GET", "/stats/prometheus").body()).contains("envoy_appmesh_RequestCount{} 4");
  }

  @Test
  void acceptsEveryEnvoyLogLevelAndRevertsAfterTheTimeout() throws Exception {
    for (String level : List.of("warning", "critical", "trace", "off")) {
      assertThat(call("POST", "/enableLogging?level=" + level).statusCode()).isEqualTo(200);
    }
    assertThat(call("POST", "/enableLogging?level=loud").statusCode()).isEqualTo(400);
    Wait.until(
        "the level reset",
        Duration.ofSeconds(5),
        () -> adminCalls.contains("POST /logging?level=info"));
    assertThat(adminCalls)
        .contains(
            "POST /logging?level=warning",
            "POST /logging?level=critical",
            "POST /logging?level=info");
  }

  @Test
  void limitsTheRateOfRequestsButNeverOfHealthAndReadiness() throws Exception {
    int limited = 0;
    for (int i = 0; i < 60; i++) {
      if (call("GET", "/stats/prometheus").statusCode() == 429) {
        limited++;
      }
    }
    assertThat(limited).isPositive();
    // Another local client looping on the limited endpoints (or on /live) never fails the
    // orchestrator's health check.
    int limitedMeanwhile = 0;
    for (int i = 0; i < 100; i++) {
      if (call("GET", "/stats/prometheus").statusCode() == 429) {
        limitedMeanwhile++;
      }
      assertThat(call("GET", "/live").statusCode()).isEqualTo(200);
      assertThat(call("GET", "/ready").statusCode()).isEqualTo(200);
      assertThat(call("GET", "/status").statusCode()).isEqualTo(200);
    }
    assertThat(limitedMeanwhile).as("the other client is limited meanwhile").isPositive();
  }

  @Test
  void refusesForeignHostsAndCrossOriginStateChanges() throws Exception {
    HttpResponse<String> rebinding =
        raw("GET /status HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assertThat(rebinding.statusCode()).isEqualTo(403);
    HttpResponse<String> crossOrigin =
        raw(
            "POST /quitquitquit HTTP/1.1\r\nHost: "
                + api.endpoint()
                + "\r\nOrigin: http://evil.example\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
    assertThat(crossOrigin.statusCode()).isEqualTo(403);
    assertThat(run).as("Envoy still supervised").isNotDone();
    HttpResponse<String> localhost =
        raw("GET /live HTTP/1.1\r\nHost: localhost:9902\r\nConnection: close\r\n\r\n");
    assertThat(localhost.statusCode()).isEqualTo(200);
    HttpResponse<String> sameOrigin =
        raw(
            "POST /drain_listeners HTTP/1.1\r\nHost: "
                + api.endpoint()
                + "\r\nOrigin: http://localhost:"
                + ((SocketEndpoint.Tcp) api.endpoint()).port()
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assertThat(sameOrigin.statusCode()).isEqualTo(200);
  }

  /** Sends {@code request} as written (headers the JDK's client would not send) and reads. */
  private HttpResponse<String> raw(String request) throws IOException {
    SocketEndpoint.Tcp tcp = (SocketEndpoint.Tcp) api.endpoint();
    try (java.net.Socket socket = new java.net.Socket(tcp.ip(), tcp.port())) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      return new RawResponse(status, answer);
    }
  }

  private record RawResponse(int statusCode, String body) implements HttpResponse<String> {
    @Override
    public HttpRequest request() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<HttpResponse<String>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
    }

    @Override
    public Optional<javax.net.ssl.SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      throw new UnsupportedOperationException();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }

  @Test
  void quitquitquitStopsEnvoy() throws Exception {
    assertThat(call("POST", "/quitquitquit").statusCode()).isEqualTo(200);
    assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(Supervisor.Outcome.STOPPED);
  }

  @Test
  void servesOnAUnixSocketOnlyItsOwnerMayUse(@TempDir Path tmp) throws Exception {
    Path socket = tmp.resolve("run/appnet_admin.sock");
    try (ManagementApi onSocket =
        ManagementApi.start(
            SharedTransport.get(),
            new SocketEndpoint.Unix(socket),
            supervisor,
            poller,
            admin,
            "info",
            Duration.ofMinutes(5),
            Clock.systemUTC(),
            Optional::empty,
            supervisor::shutdown)) {
      assertThat(Files.getPosixFilePermissions(socket))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      dev.meshboot.http.HttpClient client =
          new dev.meshboot.http.HttpClient(SharedTransport.get(), onSocket.endpoint());
      dev.meshboot.http.HttpClient.Response status =
          client.send("GET", "/status", Duration.ofSeconds(2));
      assertThat(status.status()).isEqualTo(200);
      assertThat(status.body()).contains("\"envoyState\": \"LIVE\"");
      assertThat(client.send("POST", "/status", Duration.ofSeconds(2)).status()).isEqualTo(405);
    }
    assertThat(socket).as("removed on close").doesNotExist();
  }

  @Test
  void replacesAStaleSocketButNeverAnotherFile(@TempDir Path tmp) throws Exception {
    Path socket = tmp.resolve("api.sock");
    HttpServer stale =
        HttpServer.start(
            SharedTransport.get(),
            new SocketEndpoint.Unix(socket),
            r -> HttpServer.Response.text(200, ""),
            Runnable::run);
    // A crashed earlier run leaves its socket file behind.
    Path kept = tmp.resolve("kept.sock");
    Files.move(socket, kept);
    stale.close();
    Files.move(kept, socket);
    try (ManagementApi replaced =
        ManagementApi.start(
            SharedTransport.get(),
            new SocketEndpoint.Unix(socket),
            supervisor,
            poller,
            admin,
            "info",
            Duration.ofMinutes(5),
            Clock.systemUTC(),
            Optional::empty,
            supervisor::shutdown)) {
      assertThat(
              new dev.meshboot.http.HttpClient(SharedTransport.get(), replaced.endpoint())
                  .send("GET", "/live", Duration.ofSeconds(2))
                  .status())
          .isEqualTo(200);
    }
    Path file = Files.writeString(tmp.resolve("notes.txt"), "keep me");
    assertThatThrownBy(
            () ->
                ManagementApi.start(
                    SharedTransport.get(),
                    new SocketEndpoint.Unix(file),
                    supervisor,
                    poller,
                    admin,
                    "info",
                    Duration.ofMinutes(5),
                    Clock.systemUTC(),
                    Optional::empty,
                    supervisor::shutdown))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is not a unix socket");
    assertThat(file).hasContent("keep me");
  }
}
