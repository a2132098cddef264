package dev.meshboot.config;

import static dev.meshboot.config.Variables.ENVOY_ADMIN_ACCESS_BIND_ADDRESS;
import static dev.meshboot.config.Variables.ENVOY_ADMIN_ACCESS_ENABLE_IPV6;
import static dev.meshboot.config.Variables.ENVOY_ADMIN_ACCESS_LOG_FILE;
import static dev.meshboot.config.Variables.ENVOY_ADMIN_ACCESS_PORT;
import static dev.meshboot.config.Variables.ENVOY_ADMIN_MODE;
import static dev.meshboot.config.Variables.ENVOY_ADMIN_UDS_PATH;
import static dev.meshboot.config.Variables.MESHBOOT_METRICS_ADDRESS;
import static dev.meshboot.config.Variables.MESHBOOT_METRICS_LISTENER;
import static dev.meshboot.config.Variables.MESHBOOT_METRICS_PORT;

import dev.meshboot.io.Addresses;
import dev.meshboot.io.SocketEndpoint;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where Envoy's admin interface listens.
 *
 * @param uds whether it listens on a unix socket (mode 0600) instead of TCP
 * @param address the TCP bind address
 * @param port the TCP port
 * @param ipv4Compat whether an IPv6 any-address also accepts IPv4
 * @param udsPath the unix socket
 * @param accessLog the admin access log file
 * @param metrics the read-only metrics listener in front of the admin, when there is one
 */
public record AdminConfig(
    boolean uds,
    String address,
    int port,
    boolean ipv4Compat,
    Path udsPath,
    String accessLog,
    Optional<Metrics> metrics) {

  /**
   * An Envoy listener that serves the admin's read-only pages (issue #17).
   *
   * @param address its bind address
   * @param port its port
   * @param ipv4Compat whether an IPv6 any-address also accepts IPv4
   * @param sharesAdminPort whether it listens on the admin's TCP port (on another address), so that
   *     both sockets need SO_REUSEPORT
   */
  public record Metrics(String address, int port, boolean ipv4Compat, boolean sharesAdminPort) {}

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
    boolean anyV6 = Addresses.isIpv6(address) && Addresses.isAny(address);
    int port = reader.port(ENVOY_ADMIN_ACCESS_PORT);
    return new AdminConfig(
        uds,
        address,
        port,
        anyV6,
        reader.socketPath(ENVOY_ADMIN_UDS_PATH).orElseThrow(),
        reader.string(ENVOY_ADMIN_ACCESS_LOG_FILE).trim(),
        metrics(reader, uds, address, port, ipv6));
  }

  /**
   * The metrics listener: by default there is one when the admin is private (loopback or a unix
   * socket), since App Mesh's admin listened on every address and scrapes of the pod's address
   * depend on it; an admin the user bound elsewhere already answers them.
   */
  private static Optional<Metrics> metrics(
      ConfigReader reader, boolean uds, String adminAddress, int adminPort, boolean ipv6) {
    boolean privateAdmin = uds || Addresses.isLoopback(adminAddress);
    Optional<Boolean> wanted = reader.optionalBool(MESHBOOT_METRICS_LISTENER);
    // checked whether or not there is a listener: every variable is
    Optional<Setting> bind = reader.environment().setting(MESHBOOT_METRICS_ADDRESS);
    String address = ipv6 ? "::" : "0.0.0.0";
    if (bind.isPresent()) {
      address = bind.get().value().trim();
      if (!Addresses.isIpLiteral(address)) {
        throw ConfigException.invalid(bind.get(), "an IP address such as 0.0.0.0");
      }
    }
    OptionalInt given = reader.integer(MESHBOOT_METRICS_PORT, 1, 65535);
    if (!wanted.orElse(privateAdmin)) {
      return Optional.empty();
    }
    int port = given.orElse(adminPort);
    boolean sharesPort = !uds && port == adminPort;
    if (sharesPort
        && (Addresses.sameAddress(address, adminAddress)
            || Addresses.isAny(adminAddress)
            || !privateAdmin)) {
      // one socket would take the admin's connections, or the other's bind fails
      Setting named =
          bind.or(() -> reader.environment().setting(MESHBOOT_METRICS_PORT))
              .or(() -> reader.environment().setting(MESHBOOT_METRICS_LISTENER))
              .orElseThrow();
      throw ConfigException.invalid(
          named,
          "a metrics listener that does not overlap Envoy's admin on "
              + adminAddress
              + ":"
              + adminPort
              + " (set MESHBOOT_METRICS_PORT to another port, or MESHBOOT_METRICS_LISTENER=false)");
    }
    boolean ipv4Compat = Addresses.isIpv6(address) && Addresses.isAny(address);
    return Optional.of(new Metrics(address, port, ipv4Compat, sharesPort));
  }
}
