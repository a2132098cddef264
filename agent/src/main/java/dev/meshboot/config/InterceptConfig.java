package dev.meshboot.config;

import dev.meshboot.io.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code meshboot intercept} redirects, from the variables App Mesh's proxy init container
 * read (contract §10).
 *
 * @param appPorts the application's ports, whose inbound TCP goes to {@code ingressPort}; empty: no
 *     ingress interception (App Mesh then made no ingress chain)
 * @param ingressPort Envoy's ingress listener
 * @param egressPort Envoy's egress listener
 * @param ignoreUid the user whose outbound traffic is left alone (Envoy's)
 * @param ignoreGid the group whose outbound traffic is left alone, if any
 * @param ignoredIps destinations reached directly, each an address or CIDR block as {@code
 *     iptables-save} prints it ({@code 169.254.169.254/32}, {@code fd00::/8})
 * @param ignoredPorts destination ports reached directly; 22 always among them
 * @param ipv6 whether IPv6 is intercepted too
 */
public record InterceptConfig(
    List<Integer> appPorts,
    int ingressPort,
    int egressPort,
    int ignoreUid,
    OptionalInt ignoreGid,
    List<String> ignoredIps,
    List<Integer> ignoredPorts,
    boolean ipv6) {

  /** App Mesh's proxy init always added SSH to the ignored ports. */
  public static final int SSH = 22;

  public InterceptConfig {
    appPorts = List.copyOf(appPorts);
    ignoredIps = List.copyOf(ignoredIps);
    ignoredPorts = List.copyOf(ignoredPorts);
  }

  /** The configuration the environment gives; every malformed value is an error naming it. */
  public static InterceptConfig from(Environment environment) {
    ConfigReader reader = new ConfigReader(environment);
    List<Integer> ignoredPorts =
        new ArrayList<>(ports(environment, Variables.APPMESH_EGRESS_IGNORED_PORTS));
    if (!ignoredPorts.contains(SSH)) {
      ignoredPorts.add(SSH);
    }
    return new InterceptConfig(
        ports(environment, Variables.APPMESH_APP_PORTS),
        reader.port(Variables.APPMESH_ENVOY_INGRESS_PORT),
        reader.port(Variables.APPMESH_ENVOY_EGRESS_PORT),
        reader.integer(Variables.APPMESH_IGNORE_UID, 0, Integer.MAX_VALUE).orElseThrow(),
        reader.integer(Variables.APPMESH_IGNORE_GID, 0, Integer.MAX_VALUE),
        addresses(environment, Variables.APPMESH_EGRESS_IGNORED_IP),
        ignoredPorts,
        reader.bool(Variables.APPMESH_ENABLE_IPV6));
  }

  /** A comma list of ports 1-65535, each once, in the order given; blank entries are an error. */
  private static List<Integer> ports(Environment environment, Variable variable) {
    Optional<Setting> setting = environment.setting(variable);
    List<Integer> ports = new ArrayList<>();
    if (setting.isEmpty()) {
      return ports;
    }
    String expected = "a comma-separated list of ports 1-65535 (such as 8080,8443)";
    for (String part : setting.get().value().split(",", -1)) {
      int port;
      try {
        port = Integer.parseInt(part.trim());
      } catch (NumberFormatException e) {
        throw ConfigException.invalid(setting.get(), expected);
      }
      if (port < 1 || port > 65535) {
        throw ConfigException.invalid(setting.get(), expected);
      }
      if (!ports.contains(port)) {
        ports.add(port);
      }
    }
    return ports;
  }

  /**
   * A comma list of IP addresses or CIDR blocks, each in the form {@code iptables-save} prints
   * (address, {@code /}, prefix length); never a host name, which iptables would resolve once.
   */
  private static List<String> addresses(Environment environment, Variable variable) {
    Optional<Setting> setting = environment.setting(variable);
    List<String> addresses = new ArrayList<>();
    if (setting.isEmpty()) {
      return addresses;
    }
    String expected = "a comma-separated list of IP addresses or CIDR blocks (such as 10.0.0.0/8)";
    for (String part : setting.get().value().split(",", -1)) {
      String entry = part.trim();
      int slash = entry.indexOf('/');
      String address = slash < 0 ? entry : entry.substring(0, slash);
      if (!Addresses.isIpv4(address) && !Addresses.isIpv6(address)) {
        throw ConfigException.invalid(setting.get(), expected);
      }
      InetAddress parsed;
      try {
        parsed = InetAddress.ofLiteral(address);
      } catch (IllegalArgumentException e) {
        throw ConfigException.invalid(setting.get(), expected);
      }
      int bits = parsed instanceof Inet6Address ? 128 : 32;
      int prefix = bits;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw ConfigException.invalid(setting.get(), expected);
        }
        if (prefix < 0 || prefix > bits) {
          throw ConfigException.invalid(setting.get(), expected);
        }
      }
      String canonical = network(parsed, prefix) + "/" + prefix;
      if (!addresses.contains(canonical)) {
        addresses.add(canonical);
      }
    }
    return addresses;
  }

  /** The block's first address, as iptables prints it (host bits cleared, IPv6 compressed). */
  private static String network(InetAddress address, int prefix) {
    byte[] bytes = address.getAddress();
    for (int bit = prefix; bit < bytes.length * 8; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    try {
      InetAddress network = InetAddress.getByAddress(bytes);
      return network instanceof Inet6Address ? Addresses.ipv6Text(bytes) : network.getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
