package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPMESH_METRIC_EXTENSION_VERSION;
import static dev.meshboot.config.Variables.ENABLE_ENVOY_DOG_STATSD;
import static dev.meshboot.config.Variables.ENABLE_ENVOY_STATS_TAGS;
import static dev.meshboot.config.Variables.ENVOY_STATS_FLUSH_INTERVAL;
import static dev.meshboot.config.Variables.STATSD_ADDRESS;
import static dev.meshboot.config.Variables.STATSD_PORT;
import static dev.meshboot.config.Variables.STATSD_SOCKET_PATH;

import dev.meshboot.io.Addresses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Stats tags, flush interval and the DogStatsD sink.
 *
 * @param fixedTags whether to add the {@code appmesh.mesh} and {@code appmesh.<kind>} tags
 * @param metricExtension whether App Mesh metric extension version 1 is on
 * @param flushInterval {@code stats_flush_interval}, when set
 * @param dogStatsd the DogStatsD sink, when enabled
 */
public record StatsConfig(
    boolean fixedTags,
    boolean metricExtension,
    Optional<Duration> flushInterval,
    Optional<DogStatsd> dogStatsd) {

  /** Where DogStatsD listens: a unix socket, else UDP {@code address:port}. */
  public record DogStatsd(String address, int port, Optional<Path> socket) {}

  static StatsConfig from(ConfigReader reader) {
    Optional<DogStatsd> dogStatsd = Optional.empty();
    if (reader.bool(ENABLE_ENVOY_DOG_STATSD)) {
      Setting address = reader.environment().setting(STATSD_ADDRESS).orElseThrow();
      if (!Addresses.isIpLiteral(address.value().trim())) {
        throw ConfigException.invalid(address, "an IP address (Envoy sends UDP to it unresolved)");
      }
      dogStatsd =
          Optional.of(
              new DogStatsd(
                  address.value().trim(),
                  reader.port(STATSD_PORT),
                  reader.socketPath(STATSD_SOCKET_PATH)));
    }
    return new StatsConfig(
        reader.bool(ENABLE_ENVOY_STATS_TAGS),
        reader.choice(APPMESH_METRIC_EXTENSION_VERSION, Map.of("0", false, "1", true)),
        reader.duration(ENVOY_STATS_FLUSH_INTERVAL),
        dogStatsd);
  }
}
