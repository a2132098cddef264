package dev.meshboot.server;

import dev.meshboot.envoy.Exit;
import dev.meshboot.envoy.Supervisor;
import dev.meshboot.health.Health;
import dev.meshboot.health.HealthPoller;
import dev.meshboot.http.HttpServer.Response;
import dev.meshboot.xds.XdsRelay;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code /status} and meshboot's own metrics say: Envoy's health as the poller last saw it,
 * the supervisor's restarts and exits, and the xDS relay's streams, credentials and cache.
 */
final class StatusReport {

  private final Supervisor supervisor;
  private final HealthPoller poller;
  private final java.util.function.Supplier<Optional<XdsRelay>> relay;
  private final Clock clock;
  private final Instant started;

  StatusReport(
      Supervisor supervisor,
      HealthPoller poller,
      java.util.function.Supplier<Optional<XdsRelay>> relay,
      Clock clock,
      Instant started) {
    this.supervisor = supervisor;
    this.poller = poller;
    this.relay = relay;
    this.clock = clock;
    this.started = started;
  }

  /** The body of {@code /status}: 200 when healthy (or degraded), 503 when not. */
  Response status() {
    Health health = poller.poll();
    Optional<XdsRelay> relay = this.relay.get();
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

  /** meshboot's own metrics in Prometheus text format, the relay's included. */
  String ownMetrics() {
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
    relay.get().ifPresent(active -> out.append(active.prometheus()));
    return out.toString();
  }
}
