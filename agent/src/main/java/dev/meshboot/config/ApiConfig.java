package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPNET_AGENT_ADMIN_MODE;
import static dev.meshboot.config.Variables.APPNET_AGENT_HTTP_BIND_ADDRESS;
import static dev.meshboot.config.Variables.APPNET_AGENT_HTTP_PORT;
import static dev.meshboot.config.Variables.APPNET_AGENT_LOGGING_RESET_TIMEOUT;
import static dev.meshboot.config.Variables.HC_DISCONNECTED_TIMEOUT_S;
import static dev.meshboot.config.Variables.HC_POLL_INTERVAL_MS;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Health polling and meshboot's management API (contract §8–9).
 *
 * @param pollInterval how often Envoy's health is polled
 * @param disconnectedTimeout how long a lost management connection is tolerated
 * @param address the management API's bind address, when it is served
 * @param port the management API's port
 * @param loggingReset how long a temporary Envoy log level lasts
 */
public record ApiConfig(
    Duration pollInterval,
    Duration disconnectedTimeout,
    Optional<String> address,
    int port,
    Duration loggingReset) {

  public static ApiConfig from(Environment environment) {
    ConfigReader reader = new ConfigReader(environment);
    Optional<Setting> mode = environment.setting(APPNET_AGENT_ADMIN_MODE);
    Optional<String> address = Optional.empty();
    if (mode.isPresent()) {
      String value = mode.get().value().trim().toLowerCase(java.util.Locale.ROOT);
      if (value.equals("uds")) {
        throw new ConfigException(
            APPNET_AGENT_ADMIN_MODE.name(),
            "APPNET_AGENT_ADMIN_MODE: uds is not implemented yet; use tcp (bound to"
                + " APPNET_AGENT_HTTP_BIND_ADDRESS, loopback by default)");
      }
      reader.choice(APPNET_AGENT_ADMIN_MODE, Map.of("tcp", true));
      Setting bind = environment.setting(APPNET_AGENT_HTTP_BIND_ADDRESS).orElseThrow();
      if (!Addresses.isIpLiteral(bind.value().trim())) {
        throw ConfigException.invalid(bind, "an IP address such as 127.0.0.1");
      }
      address = Optional.of(bind.value().trim());
    }
    return new ApiConfig(
        Duration.ofMillis(reader.integer(HC_POLL_INTERVAL_MS, 2000, 30_000).orElseThrow()),
        Duration.ofSeconds(reader.integer(HC_DISCONNECTED_TIMEOUT_S, 3600, 604_800).orElseThrow()),
        address,
        reader.port(APPNET_AGENT_HTTP_PORT),
        Duration.ofSeconds(
            reader.integer(APPNET_AGENT_LOGGING_RESET_TIMEOUT, 1, 86_400).orElseThrow()));
  }
}
