package dev.meshboot.server;

import dev.meshboot.envoy.AdminClient;
import dev.meshboot.envoy.Supervisor;
import dev.meshboot.health.HealthPoller;
import dev.meshboot.http.HttpClient;
import dev.meshboot.http.HttpServer;
import dev.meshboot.http.HttpServer.Response;
import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.io.Transport;
import dev.meshboot.log.Log;
import dev.meshboot.xds.XdsRelay;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * meshboot's management API over TCP or a unix socket (contract §9): {@code /status} (200 healthy,
 * 503 not), {@code /ready}, {@code /live}, {@code /stats/prometheus}, {@code /drain_listeners},
 * {@code /enableLogging}, {@code /quitquitquit}. One shared rate limit; unknown parameters are a
 * 400.
 */
public final class ManagementApi implements AutoCloseable {

  private static final Log log = Log.of(ManagementApi.class);

  private @Nullable HttpServer server;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private final Supervisor supervisor;
  private final Runnable stop;
  private final HealthPoller poller;
  private final AdminClient admin;
  private final RateLimit limit = new RateLimit(10, 20, System.nanoTime());
  private final StatusReport report;
  private final EnvoyLogLevel logLevel;
  private final DeltaSnapshots snapshots;

  /** How many Prometheus pages may stream through at once. */
  static final int MAX_PAGES = 2;

  private final java.util.concurrent.Semaphore pages =
      new java.util.concurrent.Semaphore(MAX_PAGES);

  private ManagementApi(
      Supervisor supervisor,
      HealthPoller poller,
      AdminClient admin,
      String defaultLogLevel,
      Duration loggingReset,
      Clock clock,
      java.util.function.Supplier<Optional<XdsRelay>> relay,
      Runnable stop) {
    this.supervisor = supervisor;
    this.stop = stop;
    this.poller = poller;
    this.admin = admin;
    this.report = new StatusReport(supervisor, poller, relay, clock, clock.instant());
    this.executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("meshboot-api-", 0).factory());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("meshboot-log-level-reset").daemon(true).factory());
    this.logLevel = new EnvoyLogLevel(admin, defaultLogLevel, loggingReset, timer);
    this.snapshots =
        new DeltaSnapshots(
            supervisor::pid,
            () -> admin.prometheus(false, Duration.ofSeconds(50)),
            timer,
            Duration.ofMinutes(1),
            Duration.ofMinutes(10),
            System::nanoTime);
  }

  /**
   * Serves on {@code endpoint} (TCP port 0: any free port), on {@code transport}'s event loop;
   * {@code /quitquitquit} calls {@code stop}.
   */
  public static ManagementApi start(
      Transport transport,
      SocketEndpoint endpoint,
      Supervisor supervisor,
      HealthPoller poller,
      AdminClient admin,
      String defaultLogLevel,
      Duration loggingReset,
      Clock clock,
      java.util.function.Supplier<Optional<XdsRelay>> relay,
      Runnable stop)
      throws IOException {
    ManagementApi api =
        new ManagementApi(
            supervisor, poller, admin, defaultLogLevel, loggingReset, clock, relay, stop);
    try {
      api.server = HttpServer.start(transport, endpoint, api::handle, api.executor);
    } catch (IOException e) {
      api.close();
      throw e;
    }
    log.info("management API listening", "endpoint", api.server.endpoint());
    return api;
  }

  /** Where the API listens (with the actual port). */
  public SocketEndpoint endpoint() {
    return Objects.requireNonNull(server).endpoint();
  }

  Response handle(HttpServer.Request request) {
    Optional<String> refused = Callers.refuse(request, endpoint());
    if (refused.isPresent()) {
      return Response.text(403, refused.get() + "\n");
    }
    URI uri;
    try {
      uri = new URI(request.uri());
    } catch (URISyntaxException e) {
      return Response.text(400, "malformed request target: " + e.getMessage() + "\n");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    // Health and readiness answer at any rate (the poll behind them is shared and at most a few
    // per second): a busy local client must not fail the orchestrator's health check. The rest
    // share the reference's limit.
    boolean health =
        request.method().equals("GET") && Set.of("/status", "/ready", "/live").contains(path);
    if (!health && !limit.tryAcquire(System.nanoTime())) {
      return Response.text(429, "too many requests: 10 per second, bursts of 20\n");
    }
    Map<String, String> query = HttpServer.query(uri.getRawQuery());
    String method = request.method();
    return switch (path) {
      case "/status" -> get(path, method, query, Set.of(), report::status);
      case "/ready" ->
          get(path, method, query, Set.of(), () -> probe(poller.poll().ready(), "ready"));
      case "/live" ->
          get(path, method, query, Set.of(), () -> probe(supervisor.pid().isPresent(), "live"));
      case "/stats/prometheus" ->
          get(path, method, query, Set.of("usedonly", "filter", "delta"), () -> prometheus(query));
      case "/drain_listeners" ->
          post(
              path,
              method,
              query,
              Set.of("inboundonly"),
              () -> {
                admin.drain(query.containsKey("inboundonly"));
                return Response.text(200, "draining\n");
              });
      case "/enableLogging" ->
          post(path, method, query, Set.of("level", "permanent"), () -> logLevel.set(query));
      case "/quitquitquit" ->
          post(
              path,
              method,
              query,
              Set.of(),
              () -> {
                stop.run();
                return Response.text(200, "shutting down\n");
              });
      default ->
          Response.text(
              404,
              "no such endpoint; see /status, /ready, /live, /stats/prometheus, /drain_listeners,"
                  + " /enableLogging, /quitquitquit\n");
    };
  }

  interface Action {
    Response run() throws IOException;
  }

  private static Response get(
      String path, String method, Map<String, String> query, Set<String> allowed, Action action) {
    return call(path, method, "GET", query, allowed, action);
  }

  private static Response post(
      String path, String method, Map<String, String> query, Set<String> allowed, Action action) {
    return call(path, method, "POST", query, allowed, action);
  }

  private static Response call(
      String path,
      String method,
      String expected,
      Map<String, String> query,
      Set<String> allowed,
      Action action) {
    if (!method.equals(expected)) {
      return new Response(
          405, "text/plain", path + " takes " + expected + "\n", Map.of("Allow", expected));
    }
    for (String name : query.keySet()) {
      if (!allowed.contains(name)) {
        return Response.text(
            400,
            "unknown parameter \""
                + name
                + "\"; "
                + path
                + " takes "
                + (allowed.isEmpty()
                    ? "none"
                    : String.join(", ", allowed.stream().sorted().toList()))
                + "\n");
      }
    }
    try {
      return action.run();
    } catch (IOException e) {
      return Response.text(502, "Envoy's admin interface failed: " + e.getMessage() + "\n");
    }
  }

  private static Response probe(boolean ok, String what) {
    return Response.text(ok ? 200 : 503, (ok ? "" : "not ") + what + "\n");
  }

  /**
   * Envoy's Prometheus page passed through as it arrives (a large mesh's is tens of megabytes, the
   * heap 64 MB), reduced by the last snapshot for {@code delta}, filtered for {@code filter}, with
   * meshboot's own metrics after it.
   */
  private Response prometheus(Map<String, String> query) throws IOException {
    String filter = query.get("filter");
    if (filter != null && !filter.equals("metrics_extension")) {
      return Response.text(400, "filter: expected metrics_extension but got \"" + filter + "\"\n");
    }
    // Each page in flight holds up to a read of Envoy's, a chunk and the kept families: a few at
    // once, not the rate limit's burst of 20, on a 64 MB heap.
    if (!pages.tryAcquire()) {
      return Response.text(503, "busy: " + MAX_PAGES + " Prometheus pages already in flight\n");
    }
    HttpClient.Streamed page;
    Optional<PrometheusDelta> since;
    try {
      since = query.containsKey("delta") ? snapshots.deltaAsked() : Optional.empty();
      page = admin.prometheus(query.containsKey("usedonly"), Duration.ofMinutes(2));
    } catch (IOException | RuntimeException e) {
      pages.release();
      throw e;
    }
    return Response.streamed(
        200,
        "text/plain; version=0.0.4",
        out -> {
          try (page) {
            PrometheusLines.Sink own = PrometheusLines.writingTo(out, report::ownMetrics);
            PrometheusLines.Sink filtered =
                filter != null ? PrometheusFilter.metricsExtension(own) : own;
            PrometheusLines.read(
                page.body(), since.isPresent() ? since.get().apply(filtered) : filtered);
          } finally {
            pages.release();
          }
        });
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    snapshots.stop();
    timer.shutdownNow();
    executor.shutdown();
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
