package dev.meshboot.platform;

import dev.meshboot.config.HostFacts;
import dev.meshboot.io.Addresses;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Reads the local facts that go into node metadata; each collector logs and skips on failure. */
public final class Hosts {

  private static final Log log = Log.of(Hosts.class);

  /** Where distributions keep the CA bundle; the first that exists is used. */
  static final List<Path> CA_BUNDLES =
      List.of(
          Path.of("/etc/pki/tls/cert.pem"),
          Path.of("/etc/ssl/certs/ca-certificates.crt"),
          Path.of("/etc/ssl/cert.pem"));

  private Hosts() {}

  public static HostFacts facts() {
    return new HostFacts(interfaces(), platform(), kernel(), caBundle());
  }

  private static List<HostFacts.NetworkInterface> interfaces() {
    List<HostFacts.NetworkInterface> out = new ArrayList<>();
    try {
      List<NetworkInterface> all = NetworkInterface.networkInterfaces().toList();
      // Every interface with an address, loopback included, as AWS's agent listed them (Go's
      // net.Interfaces), IPv6 in RFC 5952 form and without a zone.
      for (NetworkInterface nic : all) {
        List<String> ipv4 = new ArrayList<>();
        List<String> ipv6 = new ArrayList<>();
        for (InterfaceAddress address : nic.getInterfaceAddresses()) {
          InetAddress ip = address.getAddress();
          boolean v4 = ip instanceof Inet4Address;
          String host = v4 ? ip.getHostAddress() : Addresses.ipv6Text(ip.getAddress());
          (v4 ? ipv4 : ipv6).add(host + "/" + address.getNetworkPrefixLength());
        }
        if (!ipv4.isEmpty() || !ipv6.isEmpty()) {
          out.add(
              new HostFacts.NetworkInterface(nic.getName(), List.copyOf(ipv4), List.copyOf(ipv6)));
        }
      }
    } catch (SocketException e) {
      log.warn(
          "cannot list network interfaces; node metadata goes without them",
          "error",
          e.getMessage());
    }
    out.sort(Comparator.comparing(HostFacts.NetworkInterface::name));
    return List.copyOf(out);
  }

  /** {@code uname -p} spelling of the JVM's architecture name. */
  private static String platform() {
    String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
    return switch (arch) {
      case "amd64" -> "x86_64";
      case "arm64" -> "aarch64";
      default -> arch;
    };
  }

  private static String kernel() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
    } catch (IOException e) {
      return System.getProperty("os.version", "unknown");
    }
  }

  private static Path caBundle() {
    for (Path candidate : CA_BUNDLES) {
      if (Files.isReadable(candidate)) {
        return candidate;
      }
    }
    return CA_BUNDLES.get(0);
  }
}
