package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPNET_AGENT_ADMIN_MODE;
import static dev.meshboot.config.Variables.APPNET_AGENT_ADMIN_UDS_PATH;
import static dev.meshboot.config.Variables.APPNET_AGENT_HTTP_BIND_ADDRESS;
import static dev.meshboot.config.Variables.APPNET_AGENT_HTTP_PORT;
import static dev.meshboot.config.Variables.APPNET_AGENT_LOGGING_RESET_TIMEOUT;
import static dev.meshboot.config.Variables.APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S;
import static dev.meshboot.config.Variables.HC_DISCONNECTED_TIMEOUT_S;
import static dev.meshboot.config.Variables.HC_POLL_INTERVAL_MS;

import dev.meshboot.log.Log;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Health polling and meshboot's management API (contract §8–9).
 *
 * @param pollInterval how often Envoy's health is polled
 * @param disconnectedTimeout how long a lost management connection is tolerated
 * @param served whether {@code meshboot run} serves the management API ({@code
 *     APPNET_AGENT_ADMIN_MODE} is set)
 * @param endpoint where the management API listens (TCP bind address and port, or the unix socket)
 * @param loggingReset how long a temporary Envoy log level lasts
 */
public record ApiConfig(
    Duration pollInterval,
    Duration disconnectedTimeout,
    boolean served,
    SocketEndpoint endpoint,
    Duration loggingReset) {

  public static ApiConfig from(Environment environment) {
    ConfigReader reader = new ConfigReader(environment);
    boolean served = environment.setting(APPNET_AGENT_ADMIN_MODE).isPresent();
    boolean uds =
        served && reader.choice(APPNET_AGENT_ADMIN_MODE, Map.of("tcp", false, "uds", true));
    Setting bind = environment.setting(APPNET_AGENT_HTTP_BIND_ADDRESS).orElseThrow();
    String address = bindAddress(bind.value().trim());
    if (!uds && !Addresses.isIpLiteral(address)) {
      throw ConfigException.invalid(bind, "an IP address such as 127.0.0.1");
    }
    SocketEndpoint endpoint =
        uds
            ? new SocketEndpoint.Unix(reader.path(APPNET_AGENT_ADMIN_UDS_PATH).orElseThrow())
            : new SocketEndpoint.Tcp(address, reader.port(APPNET_AGENT_HTTP_PORT));
    return new ApiConfig(
        pollInterval(reader),
        Duration.ofSeconds(reader.integer(HC_DISCONNECTED_TIMEOUT_S, 3600, 604_800).orElseThrow()),
        served,
        endpoint,
        Duration.ofSeconds(
            reader.integer(APPNET_AGENT_LOGGING_RESET_TIMEOUT, 1, 86_400).orElseThrow()));
  }

  /**
   * The address as App Mesh's agent listened on it ({@code host:port} given to Go's {@code
   * net.Listen}): IPv6 in brackets (its own default was {@code [::]}) or {@code localhost}.
   */
  private static String bindAddress(String given) {
    if (given.startsWith("[") && given.endsWith("]")) {
      return given.substring(1, given.length() - 1);
    }
    return given.equalsIgnoreCase("localhost") ? "127.0.0.1" : given;
  }

  /**
   * HC_POLL_INTERVAL_MS; when it is not an integer (or unset), App Mesh's agent took
   * APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S in seconds, if that was one, before its range
   * check (2-30 s, else the default).
   */
  private static Duration pollInterval(ConfigReader reader) {
    Environment environment = reader.environment();
    boolean msGiven =
        environment.given(HC_POLL_INTERVAL_MS).map(s -> isInteger(s.value())).orElse(false);
    Optional<Setting> seconds = environment.given(APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S);
    if (!msGiven && seconds.isPresent() && isInteger(seconds.get().value())) {
      long millis = Long.parseLong(seconds.get().value().trim()) * 1000;
      if (millis >= 2000 && millis <= 30_000) {
        return Duration.ofMillis(millis);
      }
      Log.of(ApiConfig.class)
          .warn(
              "the health poll interval from APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S is outside"
                  + " 2-30 s; using 10000 ms instead, as App Mesh's agent did",
              "seconds",
              seconds.get().value().trim());
      return Duration.ofMillis(Long.parseLong(HC_POLL_INTERVAL_MS.defaultText()));
    }
    return Duration.ofMillis(reader.integer(HC_POLL_INTERVAL_MS, 2000, 30_000).orElseThrow());
  }

  private static boolean isInteger(String text) {
    return text.trim().matches("[+-]?\\d{1,9}");
  }

  /** Where a probe reaches the management API (a bind-all address is reached on loopback). */
  public SocketEndpoint probeEndpoint() {
    return endpoint instanceof SocketEndpoint.Tcp tcp
        ? SocketEndpoint.Tcp.reaching(tcp.ip(), tcp.port())
        : endpoint;
  }
}
