package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPNET_AGENT_ADMIN_MODE;
import static dev.meshboot.config.Variables.APPNET_AGENT_ADMIN_UDS_PATH;
import static dev.meshboot.config.Variables.APPNET_AGENT_HTTP_BIND_ADDRESS;
import static dev.meshboot.config.Variables.APPNET_AGENT_HTTP_PORT;
import static dev.meshboot.config.Variables.APPNET_AGENT_LOGGING_RESET_TIMEOUT;
import static dev.meshboot.config.Variables.APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S;
import static dev.meshboot.config.Variables.HC_DISCONNECTED_TIMEOUT_S;
import static dev.meshboot.config.Variables.HC_POLL_INTERVAL_MS;

import dev.meshboot.io.Addresses;
import dev.meshboot.io.SocketEndpoint;
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
            ? new SocketEndpoint.Unix(reader.socketPath(APPNET_AGENT_ADMIN_UDS_PATH).orElseThrow())
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
    Optional<Setting> millis = environment.given(HC_POLL_INTERVAL_MS);
    Optional<Setting> seconds = environment.given(APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S);
    boolean millisInteger = millis.map(given -> isInteger(given.value())).orElse(false);
    if (millisInteger || seconds.isEmpty() || !isInteger(seconds.get().value())) {
      return Duration.ofMillis(reader.integer(HC_POLL_INTERVAL_MS, 2000, 30_000).orElseThrow());
    }
    long fromSeconds = Long.parseLong(seconds.get().value().trim()) * 1000;
    boolean inRange = fromSeconds >= 2000 && fromSeconds <= 30_000;
    String used = inRange ? Long.toString(fromSeconds) : HC_POLL_INTERVAL_MS.defaultText();
    millis.ifPresent(
        given ->
            reader.replaced(
                HC_POLL_INTERVAL_MS,
                "\"" + given.value() + "\"" + given.originSuffix(),
                "an integer 2000-30000",
                used + " (from APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S)"));
    if (millis.isEmpty() && !inRange) {
      reader.replaced(
          HC_POLL_INTERVAL_MS,
          seconds.get().value().trim() + " s from APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S",
          "2-30 s",
          used);
    }
    return Duration.ofMillis(Long.parseLong(used));
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
