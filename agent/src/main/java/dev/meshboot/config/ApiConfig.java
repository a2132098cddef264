package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPNET_AGENT_ADMIN_MODE;
import static dev.meshboot.config.Variables.APPNET_AGENT_ADMIN_UDS_PATH;
import static dev.meshboot.config.Variables.APPNET_AGENT_HTTP_BIND_ADDRESS;
import static dev.meshboot.config.Variables.APPNET_AGENT_HTTP_PORT;
import static dev.meshboot.config.Variables.APPNET_AGENT_LOGGING_RESET_TIMEOUT;
import static dev.meshboot.config.Variables.HC_DISCONNECTED_TIMEOUT_S;
import static dev.meshboot.config.Variables.HC_POLL_INTERVAL_MS;

import java.time.Duration;
import java.util.Map;

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
    if (!uds && !Addresses.isIpLiteral(bind.value().trim())) {
      throw ConfigException.invalid(bind, "an IP address such as 127.0.0.1");
    }
    SocketEndpoint endpoint =
        uds
            ? new SocketEndpoint.Unix(reader.path(APPNET_AGENT_ADMIN_UDS_PATH).orElseThrow())
            : new SocketEndpoint.Tcp(bind.value().trim(), reader.port(APPNET_AGENT_HTTP_PORT));
    return new ApiConfig(
        Duration.ofMillis(reader.integer(HC_POLL_INTERVAL_MS, 2000, 30_000).orElseThrow()),
        Duration.ofSeconds(reader.integer(HC_DISCONNECTED_TIMEOUT_S, 3600, 604_800).orElseThrow()),
        served,
        endpoint,
        Duration.ofSeconds(
            reader.integer(APPNET_AGENT_LOGGING_RESET_TIMEOUT, 1, 86_400).orElseThrow()));
  }

  /** Where a probe reaches the management API (a bind-all address is reached on loopback). */
  public SocketEndpoint probeEndpoint() {
    return endpoint instanceof SocketEndpoint.Tcp tcp
        ? SocketEndpoint.Tcp.reaching(tcp.ip(), tcp.port())
        : endpoint;
  }
}
