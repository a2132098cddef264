package dev.meshboot.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshboot.envoy.AdminClient;
import dev.meshboot.envoy.Exit;
import dev.meshboot.envoy.Supervisor;
import dev.meshboot.health.Health;
import dev.meshboot.health.HealthPoller;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * meshboot's management API over TCP (contract §9): {@code /status} (200 healthy, 503 not), {@code
 * /ready}, {@code /live}, {@code /stats/prometheus}, {@code /drain_listeners}, {@code
 * /enableLogging}, {@code /quitquitquit}. One shared rate limit; unknown parameters are a 400.
 */
public final class ManagementApi implements AutoCloseable {

  private static final Log log = Log.of(ManagementApi.class);

  static final Set<String> LOG_LEVELS =
      Set.of("trace", "debug", "info", "warn", "warning", "error", "critical", "off");

  private final HttpServer server;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private final Supervisor supervisor;
  private final HealthPoller poller;
  private final AdminClient admin;
  private final String defaultLogLevel;
  private final Duration loggingReset;
  private final Clock clock;
  private final Instant started;
  private final RateLimit limit = new RateLimit(10, 20, System.nanoTime());
  private @org.jspecify.annotations.Nullable ScheduledFuture<?> revert;

  private ManagementApi(
      HttpServer server,
      Supervisor supervisor,
      HealthPoller poller,
      AdminClient admin,
      String defaultLogLevel,
      Duration loggingReset,
      Clock clock) {
    this.server = server;
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

  /** Serves on {@code address:port} (port 0: any free port). */
  public static ManagementApi start(
      String address,
      int port,
      Supervisor supervisor,
      HealthPoller poller,
      AdminClient admin,
      String defaultLogLevel,
      Duration loggingReset,
      Clock clock)
      throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(java.net.InetAddress.ofLiteral(address), port), 64);
    ManagementApi api =
        new ManagementApi(server, supervisor, poller, admin, defaultLogLevel, loggingReset, clock);
    server.setExecutor(api.executor);
    server.createContext("/", api::handle);
    server.start();
    api.snapshots = api.timer.scheduleAtFixedRate(api::snapshot, 0, 1, TimeUnit.MINUTES);
    log.info("management API listening", "address", address, "port", server.getAddress().getPort());
    return api;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!limit.tryAcquire(System.nanoTime())) {
        send(exchange, 429, "text/plain", "too many requests: 10 per second, bursts of 20\n");
        return;
      }
      URI uri = exchange.getRequestURI();
      Map<String, String> query = query(uri.getRawQuery());
      String method = exchange.getRequestMethod();
      switch (uri.getPath()) {
        case "/status" -> get(exchange, method, query, Set.of(), () -> status(exchange));
        case "/ready" ->
            get(
                exchange,
                method,
                query,
                Set.of(),
                () -> probe(exchange, poller.poll().ready(), "ready"));
        case "/live" ->
            get(
                exchange,
                method,
                query,
                Set.of(),
                () -> probe(exchange, supervisor.pid().isPresent(), "live"));
        case "/stats/prometheus" ->
            get(
                exchange,
                method,
                query,
                Set.of("usedonly", "filter", "delta"),
                () -> prometheus(exchange, query));
        case "/drain_listeners" ->
            post(
                exchange,
                method,
                query,
                Set.of("inboundonly"),
                () -> {
                  admin.drain(query.containsKey("inboundonly"));
                  send(exchange, 200, "text/plain", "draining\n");
                });
        case "/enableLogging" ->
            post(
                exchange,
                method,
                query,
                Set.of("level", "permanent"),
                () -> logging(exchange, query));
        case "/quitquitquit" ->
            post(
                exchange,
                method,
                query,
                Set.of(),
                () -> {
                  send(exchange, 200, "text/plain", "shutting down\n");
                  supervisor.shutdown();
                });
        default ->
            send(
                exchange,
                404,
                "text/plain",
                "no such endpoint; see /status, /ready, /live, /stats/prometheus, /drain_listeners, /enableLogging, /quitquitquit\n");
      }
    } catch (IOException e) {
      log.warn("management API request failed", "error", e.getMessage());
    }
  }

  interface Action {
    void run() throws IOException;
  }

  private void get(
      HttpExchange exchange,
      String method,
      Map<String, String> query,
      Set<String> allowed,
      Action action)
      throws IOException {
    if (check(exchange, method, "GET", query, allowed)) {
      action.run();
    }
  }

  private void post(
      HttpExchange exchange,
      String method,
      Map<String, String> query,
      Set<String> allowed,
      Action action)
      throws IOException {
    if (check(exchange, method, "POST", query, allowed)) {
      try {
        action.run();
      } catch (IOException e) {
        send(
            exchange,
            502,
            "text/plain",
            "Envoy's admin interface failed: " + e.getMessage() + "\n");
      }
    }
  }

  private boolean check(
      HttpExchange exchange,
      String method,
      String expected,
      Map<String, String> query,
      Set<String> allowed)
      throws IOException {
    if (!method.equals(expected)) {
      exchange.getResponseHeaders().set("Allow", expected);
      send(
          exchange,
          405,
          "text/plain",
          exchange.getRequestURI().getPath() + " takes " + expected + "\n");
      return false;
    }
    for (String name : query.keySet()) {
      if (!allowed.contains(name)) {
        send(
            exchange,
            400,
            "text/plain",
            "unknown parameter \""
                + name
                + "\"; "
                + exchange.getRequestURI().getPath()
                + " takes "
                + (allowed.isEmpty()
                    ? "none"
                    : String.join(", ", allowed.stream().sorted().toList()))
                + "\n");
        return false;
      }
    }
    return true;
  }

  private void status(HttpExchange exchange) throws IOException {
    Health health = poller.poll();
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("healthStatus", health.healthy() ? "HEALTHY" : "UNHEALTHY");
    status.put("agentUptime", Duration.between(started, clock.instant()).toString());
    status.put("envoyPid", supervisor.pid().isPresent() ? supervisor.pid().getAsLong() : null);
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
    status.put("problems", health.problems());
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
    send(exchange, health.healthy() ? 200 : 503, "application/json", Json.of(status) + "\n");
  }

  private void probe(HttpExchange exchange, boolean ok, String what) throws IOException {
    send(exchange, ok ? 200 : 503, "text/plain", (ok ? "" : "not ") + what + "\n");
  }

  private void prometheus(HttpExchange exchange, Map<String, String> query) throws IOException {
    String filter = query.get("filter");
    if (filter != null && !filter.equals("metrics_extension")) {
      send(
          exchange,
          400,
          "text/plain",
          "filter: expected metrics_extension but got \"" + filter + "\"\n");
      return;
    }
    String page;
    try {
      page = admin.prometheus(query.containsKey("usedonly"));
    } catch (IOException e) {
      send(exchange, 502, "text/plain", "Envoy's admin interface failed: " + e.getMessage() + "\n");
      return;
    }
    if (query.containsKey("delta")) {
      page = deltaSince(page);
    }
    String body = filter != null ? PrometheusFilter.metricsExtension(page) : page;
    send(exchange, 200, "text/plain; version=0.0.4", body + ownMetrics());
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

  private volatile @org.jspecify.annotations.Nullable Snapshot snapshot;
  private @org.jspecify.annotations.Nullable ScheduledFuture<?> snapshots;

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
    return out.toString();
  }

  private synchronized void logging(HttpExchange exchange, Map<String, String> query)
      throws IOException {
    String level = query.get("level");
    if (level == null || !LOG_LEVELS.contains(level)) {
      send(
          exchange,
          400,
          "text/plain",
          "level: expected one of "
              + String.join(", ", LOG_LEVELS.stream().sorted().toList())
              + "\n");
      return;
    }
    String permanent = query.getOrDefault("permanent", "false");
    if (!permanent.equals("true") && !permanent.equals("false")) {
      send(exchange, 400, "text/plain", "permanent: expected true or false\n");
      return;
    }
    admin.logLevel(level);
    if (revert != null) {
      revert.cancel(false);
      revert = null;
    }
    if (permanent.equals("false")) {
      revert = timer.schedule(this::revertLogLevel, loggingReset.toMillis(), TimeUnit.MILLISECONDS);
    }
    send(
        exchange,
        200,
        "text/plain",
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

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
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
