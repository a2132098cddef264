package dev.meshboot.config;

import static dev.meshboot.config.Variables.APPMESH_ENVOY_EGRESS_PORT;
import static dev.meshboot.config.Variables.APPMESH_ENVOY_INGRESS_PORT;
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
import java.util.List;
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
    // every variable is checked, whether or not there is a listener
    Optional<Boolean> wanted = reader.optionalBool(MESHBOOT_METRICS_LISTENER);
    Optional<Setting> bind = reader.environment().setting(MESHBOOT_METRICS_ADDRESS);
    String address = ipv6 ? "::" : "0.0.0.0";
    if (bind.isPresent()) {
      address = bind.get().value().trim();
      if (!Addresses.isIpLiteral(address)) {
        throw ConfigException.invalid(bind.get(), "an IP address such as 0.0.0.0");
      }
    }
    OptionalInt given = reader.optionalPort(MESHBOOT_METRICS_PORT);
    if (!wanted.orElse(privateAdmin)) {
      return Optional.empty();
    }
    int port = given.orElse(adminPort);
    Setting portNamed =
        reader
            .environment()
            .setting(MESHBOOT_METRICS_PORT)
            .or(() -> reader.environment().setting(MESHBOOT_METRICS_LISTENER))
            .or(() -> reader.environment().setting(ENVOY_ADMIN_ACCESS_PORT))
            .orElseThrow();
    boolean sharesPort = !uds && port == adminPort;
    String admin = new SocketEndpoint.Tcp(adminAddress, adminPort).toString();
    if (sharesPort && !privateAdmin) {
      throw ConfigException.invalid(
          portNamed,
          "a metrics listener port other than the admin's: the admin already listens on "
              + admin
              + " (set MESHBOOT_METRICS_PORT, or MESHBOOT_METRICS_LISTENER=false)");
    }
    if (sharesPort && Addresses.sameAddress(address, adminAddress)) {
      // both sockets on one address (only an address given can be the private admin's): the kernel
      // would split the admin's connections between them
      throw ConfigException.invalid(
          bind.orElse(portNamed),
          "an address other than the admin's own ("
              + admin
              + "), or another MESHBOOT_METRICS_PORT");
    }
    // Envoy's App Mesh listeners (the control plane's) and meshboot's management API
    for (Variable taken : List.of(APPMESH_ENVOY_INGRESS_PORT, APPMESH_ENVOY_EGRESS_PORT)) {
      if (port == reader.port(taken)) {
        // the variable the user set: the metrics port, else the other port
        Setting named =
            reader
                .environment()
                .given(MESHBOOT_METRICS_PORT)
                .or(() -> reader.environment().given(taken))
                .orElse(portNamed);
        throw ConfigException.invalid(
            named,
            "a port that is not both the metrics listener's and "
                + taken.name()
                + " ("
                + port
                + ")");
      }
    }
    if (apiPort(reader).orElse(0) == port) {
      Setting named =
          reader
              .environment()
              .given(MESHBOOT_METRICS_PORT)
              .or(() -> reader.environment().given(Variables.APPNET_AGENT_HTTP_PORT))
              .orElse(portNamed);
      throw ConfigException.invalid(
          named,
          "a port that is not both the metrics listener's and APPNET_AGENT_HTTP_PORT ("
              + port
              + ")");
    }
    boolean ipv4Compat = Addresses.isIpv6(address) && Addresses.isAny(address);
    return Optional.of(new Metrics(address, port, ipv4Compat, sharesPort));
  }

  /** The management API's TCP port, when meshboot serves it over TCP. */
  private static OptionalInt apiPort(ConfigReader reader) {
    ApiConfig api = ApiConfig.from(reader.environment());
    return api.served() && api.endpoint() instanceof SocketEndpoint.Tcp tcp
        ? OptionalInt.of(tcp.port())
        : OptionalInt.empty();
  }
}
