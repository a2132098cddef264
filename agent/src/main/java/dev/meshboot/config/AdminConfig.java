package dev.meshboot.config;

import static dev.meshboot.config.Variables.ENVOY_ADMIN_ACCESS_BIND_ADDRESS;
import static dev.meshboot.config.Variables.ENVOY_ADMIN_ACCESS_ENABLE_IPV6;
import static dev.meshboot.config.Variables.ENVOY_ADMIN_ACCESS_LOG_FILE;
import static dev.meshboot.config.Variables.ENVOY_ADMIN_ACCESS_PORT;
import static dev.meshboot.config.Variables.ENVOY_ADMIN_MODE;
import static dev.meshboot.config.Variables.ENVOY_ADMIN_UDS_PATH;

import dev.meshboot.io.Addresses;
import dev.meshboot.io.SocketEndpoint;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where Envoy's admin interface listens.
 *
 * @param uds whether it listens on a unix socket (mode 0600) instead of TCP
 * @param address the TCP bind address
 * @param port the TCP port
 * @param ipv4Compat whether an IPv6 any-address also accepts IPv4
 * @param udsPath the unix socket
 * @param accessLog the admin access log file
 */
public record AdminConfig(
    boolean uds, String address, int port, boolean ipv4Compat, Path udsPath, String accessLog) {

  /** Where Envoy's admin interface is reached. */
  public SocketEndpoint endpoint() {
    return uds ? new SocketEndpoint.Unix(udsPath) : SocketEndpoint.Tcp.reaching(address, port);
  }

  /** The admin settings alone, for the supervisor. */
  public static AdminConfig from(Environment environment) {
    return from(new ConfigReader(environment));
  }

  static AdminConfig from(ConfigReader reader) {
    boolean uds = reader.choice(ENVOY_ADMIN_MODE, Map.of("tcp", false, "uds", true));
    boolean ipv6 = reader.bool(ENVOY_ADMIN_ACCESS_ENABLE_IPV6);
    Optional<Setting> bind = reader.environment().setting(ENVOY_ADMIN_ACCESS_BIND_ADDRESS);
    String address = ipv6 ? "::1" : "127.0.0.1";
    if (bind.isPresent()) {
      address = bind.get().value().trim();
      if (ipv6 ? !Addresses.isIpv6(address) : !Addresses.isIpLiteral(address)) {
        throw ConfigException.invalid(
            bind.get(),
            ipv6
                ? "an IPv6 address (ENVOY_ADMIN_ACCESS_ENABLE_IPV6 is true)"
                : "an IP address such as 127.0.0.1");
      }
    }
    boolean anyV6 = address.equals("::") || address.equals("0:0:0:0:0:0:0:0");
    return new AdminConfig(
        uds,
        address,
        reader.port(ENVOY_ADMIN_ACCESS_PORT),
        anyV6,
        reader.socketPath(ENVOY_ADMIN_UDS_PATH).orElseThrow(),
        reader.string(ENVOY_ADMIN_ACCESS_LOG_FILE).trim());
  }
}
