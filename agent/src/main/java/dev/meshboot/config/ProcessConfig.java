package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPNET_ENVOY_RESTART_COUNT;
import static dev.meshboot.config.Variables.DISABLE_HOT_RESTART;
import static dev.meshboot.config.Variables.ENVOY_SKIP_DEPRECATED_LOGS;
import static dev.meshboot.config.Variables.LISTENER_DRAIN_WAIT_TIME_S;
import static dev.meshboot.config.Variables.MESHBOOT_BOOTSTRAP_PATH;
import static dev.meshboot.config.Variables.MESHBOOT_RESTART_BACKOFF_MAX_MS;
import static dev.meshboot.config.Variables.MESHBOOT_RESTART_BACKOFF_MS;
import static dev.meshboot.config.Variables.MESHBOOT_RESTART_RESET_S;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@code meshboot run} launches and restarts Envoy (contract §8).
 *
 * @param restarts how often a dead Envoy is restarted
 * @param backoff the first restart delay, doubled per restart
 * @param maxBackoff the longest restart delay
 * @param healthyReset how long an Envoy must run for the restart budget to refill
 * @param drainTime Envoy's {@code --drain-time-s} and the drain wait on shutdown
 * @param skipDeprecatedLogs Envoy's {@code --skip-deprecated-logs}
 * @param disableHotRestart Envoy's {@code --disable-hot-restart}
 * @param bootstrapPath where the bootstrap is written
 */
public record ProcessConfig(
    int restarts,
    Duration backoff,
    Duration maxBackoff,
    Duration healthyReset,
    Duration drainTime,
    boolean skipDeprecatedLogs,
    boolean disableHotRestart,
    Path bootstrapPath) {

  public static ProcessConfig from(Environment environment) {
    ConfigReader reader = new ConfigReader(environment);
    int backoff = reader.integer(MESHBOOT_RESTART_BACKOFF_MS, 1, 600_000).orElseThrow();
    int maxBackoff = reader.integer(MESHBOOT_RESTART_BACKOFF_MAX_MS, 1, 3_600_000).orElseThrow();
    if (maxBackoff < backoff) {
      throw new ConfigException(
          MESHBOOT_RESTART_BACKOFF_MAX_MS.name(),
          "MESHBOOT_RESTART_BACKOFF_MAX_MS: expected at least MESHBOOT_RESTART_BACKOFF_MS ("
              + backoff
              + ") but got \""
              + maxBackoff
              + "\"");
    }
    return new ProcessConfig(
        reader.integer(APPNET_ENVOY_RESTART_COUNT, 0, 10).orElseThrow(),
        Duration.ofMillis(backoff),
        Duration.ofMillis(maxBackoff),
        Duration.ofSeconds(reader.integer(MESHBOOT_RESTART_RESET_S, 1, 86_400).orElseThrow()),
        Duration.ofSeconds(reader.integer(LISTENER_DRAIN_WAIT_TIME_S, 5, 110).orElseThrow()),
        reader.bool(ENVOY_SKIP_DEPRECATED_LOGS),
        reader.bool(DISABLE_HOT_RESTART),
        reader.path(MESHBOOT_BOOTSTRAP_PATH).orElseThrow());
  }
}
