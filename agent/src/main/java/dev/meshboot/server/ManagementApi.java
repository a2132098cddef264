package dev.meshboot.server;

import dev.meshboot.config.SocketEndpoint;
import dev.meshboot.envoy.AdminClient;
import dev.meshboot.envoy.Exit;
import dev.meshboot.envoy.Supervisor;
import dev.meshboot.health.Health;
import dev.meshboot.health.HealthPoller;
import dev.meshboot.http.HttpServer;
import dev.meshboot.http.HttpServer.Response;
import dev.meshboot.log.Log;
import dev.meshboot.xds.XdsRelay;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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

  static final Set<String> LOG_LEVELS =
      Set.of("trace", "debug", "info", "warn", "warning", "error", "critical", "off");

  private @Nullable HttpServer server;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private final Supervisor supervisor;
  private final Optional<XdsRelay> relay;
  private final HealthPoller poller;
  private final AdminClient admin;
  private final String defaultLogLevel;
  private final Duration loggingReset;
  private final Clock clock;
  private final Instant started;
  private final RateLimit limit = new RateLimit(10, 20, System.nanoTime());
  private @Nullable ScheduledFuture<?> revert;

  private ManagementApi(
      Supervisor supervisor,
      HealthPoller poller,
      AdminClient admin,
      String defaultLogLevel,
      Duration loggingReset,
      Clock clock,
      Optional<XdsRelay> relay) {
    this.relay = relay;
    this.supervisor = supervisor;
    this.poller = poller;
    this.admin = admin;
    this.defaultLogLevel = defaultLogLevel;
    this.loggingReset = loggingReset;
    this.clock = clock;
    this.started = clock.instant();
    this.executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("meshboot-api-", 0).factory());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("meshboot-log-level-reset").daemon(true).factory());
  }

  /** Serves on {@code endpoint} (TCP port 0: any free port). */
  public static ManagementApi start(
      SocketEndpoint endpoint,
      Supervisor supervisor,
      HealthPoller poller,
      AdminClient admin,
      String defaultLogLevel,
      Duration loggingReset,
      Clock clock,
      Optional<XdsRelay> relay)
      throws IOException {
    ManagementApi api =
        new ManagementApi(supervisor, poller, admin, defaultLogLevel, loggingReset, clock, relay);
    try {
      api.server = HttpServer.start(endpoint, api::handle, api.executor);
    } catch (IOException e) {
      api.close();
      throw e;
    }
    api.snapshots = api.timer.scheduleAtFixedRate(api::snapshot, 0, 1, TimeUnit.MINUTES);
    log.info("management API listening", "endpoint", api.server.endpoint());
    return api;
  }

  /** Where the API listens (with the actual port). */
  public SocketEndpoint endpoint() {
    return Objects.requireNonNull(server).endpoint();
  }

  Response handle(HttpServer.Request request) {
    if (!limit.tryAcquire(System.nanoTime())) {
      return Response.text(429, "too many requests: 10 per second, bursts of 20\n");
    }
    URI uri;
    try {
      uri = new URI(request.uri());
    } catch (URISyntaxException e) {
      return Response.text(400, "malformed request target: " + e.getMessage() + "\n");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    Map<String, String> query = query(uri.getRawQuery());
    String method = request.method();
    return switch (path) {
      case "/status" -> get(path, method, query, Set.of(), this::status);
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
          post(path, method, query, Set.of("level", "permanent"), () -> logging(query));
      case "/quitquitquit" ->
          post(
              path,
              method,
              query,
              Set.of(),
              () -> {
                supervisor.shutdown();
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

  private Response status() {
    Health health = poller.poll();
    boolean degraded = relay.isPresent() && relay.get().degraded();
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("healthStatus", !health.healthy() ? "UNHEALTHY" : degraded ? "DEGRADED" : "HEALTHY");
    status.put("agentUptime", Duration.between(started, clock.instant()).toString());
    status.put("envoyPid", supervisor.pid().isPresent() ? supervisor.pid().getAsLong() : null);
    status.put("envoyVersion", poller.envoyVersion().orElse(null));
    status.put("envoyState", health.envoyState());
    status.put("envoyRestartCount", supervisor.restarts());
    status.put(
        "managementServerConnectionStatus",
        health
            .managementConnected()
            .map(up -> up ? "CONNECTED" : "DISCONNECTED")
            .orElse("UNKNOWN"));
    status.put(
        "managementServerDisconnectedTimestamp",
        health.disconnectedSince().map(Instant::toString).orElse(null));
    status.put("envoyReadinessState", health.ready() ? "READY" : "NOT_READY");
    status.put("initialConfigUpdateStatus", health.initialConfig().name());
    status.put("xdsCounters", health.xdsCounters());
    relay.ifPresent(active -> status.put("xdsRelay", active.status()));
    List<String> problems = new ArrayList<>(health.problems());
    relay.ifPresent(active -> problems.addAll(active.problems()));
    status.put("problems", problems);
    status.put(
        "restartBackoffUntil", supervisor.backoffUntil().map(Instant::toString).orElse(null));
    Optional<Exit> last = supervisor.lastExit();
    status.put(
        "lastExit",
        last.map(
                exit -> {
                  Map<String, Object> out = new LinkedHashMap<>();
                  out.put("classification", exit.classification().name());
                  out.put("code", exit.code());
                  out.put("signal", exit.signal());
                  out.put("at", exit.at().toString());
                  out.put("stderrTail", exit.stderrTail());
                  return out;
                })
            .orElse(null));
    return new Response(
        health.healthy() ? 200 : 503, "application/json", Json.of(status) + "\n", Map.of());
  }

  private static Response probe(boolean ok, String what) {
    return Response.text(ok ? 200 : 503, (ok ? "" : "not ") + what + "\n");
  }

  private Response prometheus(Map<String, String> query) throws IOException {
    String filter = query.get("filter");
    if (filter != null && !filter.equals("metrics_extension")) {
      return Response.text(400, "filter: expected metrics_extension but got \"" + filter + "\"\n");
    }
    String page = admin.prometheus(query.containsKey("usedonly"));
    if (query.containsKey("delta")) {
      page = deltaSince(page);
    }
    String body = filter != null ? PrometheusFilter.metricsExtension(page) : page;
    return new Response(200, "text/plain; version=0.0.4", body + ownMetrics(), Map.of());
  }

  /**
   * The page minus the snapshot of a minute ago (taken by {@link #snapshot()}); a snapshot of
   * another Envoy process does not count.
   */
  private String deltaSince(String page) {
    Snapshot previous = snapshot;
    long pid = supervisor.pid().isPresent() ? supervisor.pid().getAsLong() : -1;
    return previous != null && previous.pid() == pid ? previous.delta().apply(page) : page;
  }

  private record Snapshot(long pid, PrometheusDelta delta) {}

  private volatile @Nullable Snapshot snapshot;
  private @Nullable ScheduledFuture<?> snapshots;

  /** Takes the minute snapshot that {@code delta} subtracts. */
  void snapshot() {
    if (supervisor.pid().isEmpty()) {
      snapshot = null;
      return;
    }
    long pid = supervisor.pid().getAsLong();
    try {
      snapshot = new Snapshot(pid, PrometheusDelta.snapshot(admin.prometheus(false)));
    } catch (IOException e) {
      log.debug("no Prometheus snapshot this minute", "error", e.getMessage());
    }
  }

  private String ownMetrics() {
    StringBuilder out = new StringBuilder();
    out.append("# TYPE meshboot_envoy_exits_total counter\n");
    supervisor
        .exitsByClassification()
        .forEach(
            (kind, count) ->
                out.append("meshboot_envoy_exits_total{classification=\"")
                    .append(kind.label())
                    .append("\"} ")
                    .append(count)
                    .append('\n'));
    Health health = poller.poll();
    out.append("# TYPE meshboot_healthy gauge\nmeshboot_healthy ")
        .append(health.healthy() ? 1 : 0)
        .append('\n');
    out.append("# TYPE meshboot_uptime_seconds gauge\nmeshboot_uptime_seconds ")
        .append(Duration.between(started, clock.instant()).toSeconds())
        .append('\n');
    out.append("# TYPE meshboot_health_poll_seconds gauge\nmeshboot_health_poll_seconds ")
        .append(poller.lastPollLatency().toNanos() / 1e9)
        .append('\n');
    relay.ifPresent(active -> out.append(active.prometheus()));
    return out.toString();
  }

  private synchronized Response logging(Map<String, String> query) throws IOException {
    String level = query.get("level");
    if (level == null || !LOG_LEVELS.contains(level)) {
      return Response.text(
          400,
          "level: expected one of "
              + String.join(", ", LOG_LEVELS.stream().sorted().toList())
              + "\n");
    }
    String permanent = query.getOrDefault("permanent", "false");
    if (!permanent.equals("true") && !permanent.equals("false")) {
      return Response.text(400, "permanent: expected true or false\n");
    }
    admin.logLevel(level);
    if (revert != null) {
      revert.cancel(false);
      revert = null;
    }
    if (permanent.equals("false")) {
      revert = timer.schedule(this::revertLogLevel, loggingReset.toMillis(), TimeUnit.MILLISECONDS);
    }
    return Response.text(
        200,
        "Envoy log level "
            + level
            + (permanent.equals("true") ? "" : " for " + loggingReset.toSeconds() + "s")
            + "\n");
  }

  private void revertLogLevel() {
    try {
      admin.logLevel(defaultLogLevel);
      log.info("Envoy log level reverted", "level", defaultLogLevel);
    } catch (IOException e) {
      log.warn("cannot revert Envoy's log level", "error", e.getMessage());
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name =
          java.net.URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(name, value);
    }
    return out;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    if (snapshots != null) {
      snapshots.cancel(false);
    }
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
