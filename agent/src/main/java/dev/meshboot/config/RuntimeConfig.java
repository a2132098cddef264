package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPMESH_SDS_SOCKET_PATH;
import static dev.meshboot.config.Variables.APPMESH_SET_TRACING_DECISION;
import static dev.meshboot.config.Variables.ENVOY_CONCURRENCY;
import static dev.meshboot.config.Variables.ENVOY_INITIAL_FETCH_TIMEOUT;
import static dev.meshboot.config.Variables.ENVOY_LOG_LEVEL;
import static dev.meshboot.config.Variables.ENVOY_NO_EXTENSION_LOOKUP_BY_NAME;
import static dev.meshboot.config.Variables.ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH;
import static dev.meshboot.config.Variables.MAX_REQUESTS_PER_IO_CYCLE;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Envoy's process-wide settings: log level, fetch timeout, runtime keys, outlier log, SDS socket.
 *
 * @param logLevel Envoy's {@code -l} value
 * @param initialFetchTimeoutSeconds {@code initial_fetch_timeout} of LDS and CDS (0 = forever)
 * @param concurrency {@code --concurrency} when given
 * @param outlierEventLogPath {@code cluster_manager.outlier_detection.event_log_path}
 * @param sdsSocket the SDS agent's socket, when there is one
 * @param staticLayer the runtime's static layer, in order (also node metadata)
 */
public record RuntimeConfig(
    String logLevel,
    int initialFetchTimeoutSeconds,
    OptionalInt concurrency,
    String outlierEventLogPath,
    Optional<Path> sdsSocket,
    Map<String, Object> staticLayer) {

  private static final Map<String, String> LOG_LEVELS =
      Map.of(
          "trace", "trace",
          "debug", "debug",
          "info", "info",
          "warn", "warning",
          "warning", "warning",
          "error", "error",
          "critical", "critical",
          "off", "off");

  /** The runtime settings alone (for a whole-file bootstrap, where nothing else is generated). */
  public static RuntimeConfig from(Environment environment) {
    return from(new ConfigReader(environment));
  }

  static RuntimeConfig from(ConfigReader reader) {
    Map<String, Object> layer = new LinkedHashMap<>();
    layer.put("envoy.features.enable_all_deprecated_features", true);
    layer.put("re2.max_program_size.error_level", 1000);
    layer.put(
        "envoy.reloadable_features.http_set_tracing_decision_in_request_id",
        reader.bool(APPMESH_SET_TRACING_DECISION));
    layer.put(
        "envoy.reloadable_features.no_extension_lookup_by_name",
        reader.bool(ENVOY_NO_EXTENSION_LOOKUP_BY_NAME));
    OptionalInt maxRequests = reader.integer(MAX_REQUESTS_PER_IO_CYCLE, 1, Integer.MAX_VALUE);
    if (maxRequests.isPresent()) {
      layer.put("http.max_requests_per_io_cycle", maxRequests.getAsInt());
    }
    return new RuntimeConfig(
        reader.choice(ENVOY_LOG_LEVEL, LOG_LEVELS),
        reader.integer(ENVOY_INITIAL_FETCH_TIMEOUT, 0, Integer.MAX_VALUE).orElseThrow(),
        reader.integer(ENVOY_CONCURRENCY, 1, 1024),
        reader.string(ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH).trim(),
        reader.path(APPMESH_SDS_SOCKET_PATH),
        java.util.Collections.unmodifiableMap(layer));
  }
}
