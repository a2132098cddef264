package dev.meshboot.server;

import dev.meshboot.envoy.AdminClient;
import dev.meshboot.http.HttpServer.Response;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's log level as the management API changes it: any of Envoy's levels, for {@code
 * APPNET_AGENT_LOGGING_RESET_TIMEOUT} and then back to the configured level, or for good.
 */
final class EnvoyLogLevel {

  private static final Log log = Log.of(EnvoyLogLevel.class);

  static final Set<String> LOG_LEVELS =
      Set.of("trace", "debug", "info", "warn", "warning", "error", "critical", "off");

  private final AdminClient admin;
  private final String defaultLogLevel;
  private final Duration loggingReset;
  private final ScheduledExecutorService timer;
  private @Nullable ScheduledFuture<?> reverting;

  EnvoyLogLevel(
      AdminClient admin,
      String defaultLogLevel,
      Duration loggingReset,
      ScheduledExecutorService timer) {
    this.admin = admin;
    this.defaultLogLevel = defaultLogLevel;
    this.loggingReset = loggingReset;
    this.timer = timer;
  }

  /** {@code POST /enableLogging?level=L[&permanent=true]}. */
  synchronized Response set(Map<String, String> query) throws IOException {
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
    if (reverting != null) {
      reverting.cancel(false);
      reverting = null;
    }
    if (permanent.equals("false")) {
      reverting = timer.schedule(this::revert, loggingReset.toMillis(), TimeUnit.MILLISECONDS);
    }
    return Response.text(
        200,
        "Envoy log level "
            + level
            + (permanent.equals("true") ? "" : " for " + loggingReset.toSeconds() + "s")
            + "\n");
  }

  private void revert() {
    try {
      admin.logLevel(defaultLogLevel);
      log.info("Envoy log level reverted", "level", defaultLogLevel);
    } catch (IOException e) {
      log.warn("cannot revert Envoy's log level", "error", e.getMessage());
    }
  }
}
