package dev.meshboot.cli;

import dev.meshboot.io.SocketEndpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checks that make SO_REUSEPORT on Envoy's admin safe: nothing else listens on its address.
 *
 * <p>With the metrics listener on the admin's port, the admin's socket sets SO_REUSEPORT, and the
 * kernel then lets any socket of the same user that sets it too share the address: a second Envoy
 * started by mistake on the same admin port in one network namespace (host networking, a leftover
 * Envoy) would bind without an error and take half the admin's connections, meshboot's drain and
 * {@code /quitquitquit} included. Before it starts Envoy, meshboot binds the address itself without
 * SO_REUSEPORT, which fails while another socket listens there ({@link #requireFree}); an Envoy the
 * launcher started from a launch record may have bound it already, so for it meshboot looks for a
 * listening socket there that is not that Envoy's ({@link #requireSole}).
 */
final class AdminPort {

  private static final String LISTEN = "0A";

  private AdminPort() {}

  /**
   * Fails (exit 5) when another socket listens on the admin's address. The probe sets SO_REUSEADDR,
   * as Envoy does on its admin, so that connections of a previous Envoy in TIME_WAIT do not count;
   * any failure but "in use" (no IPv6 in this namespace, an address that is not local) is left for
   * Envoy to report.
   */
  static void requireFree(SocketEndpoint.Tcp admin) {
    InetSocketAddress address = (InetSocketAddress) admin.address();
    ProtocolFamily family =
        address.getAddress() instanceof Inet6Address
            ? StandardProtocolFamily.INET6
            : StandardProtocolFamily.INET;
    try (ServerSocketChannel probe = ServerSocketChannel.open(family)) {
      probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      probe.bind(address, 1);
    } catch (BindException e) {
      if (String.valueOf(e.getMessage()).contains("in use")) {
        throw inUse(admin, "already in use");
      }
    } catch (IOException | RuntimeException e) {
      // not a question of another listener: Envoy's own bind says what is wrong
    }
  }

  /**
   * Fails (exit 5) when a socket other than Envoy {@code pid}'s listens on the admin's exact
   * address ({@code /proc/net/tcp} or {@code tcp6} of this network namespace, against the sockets
   * among {@code /proc/PID/fd}): for an Envoy the launcher started, which may have bound its admin
   * already. Nothing is known when the tables cannot be read.
   */
  static void requireSole(SocketEndpoint.Tcp admin, long pid) {
    if (others(admin, Path.of("/proc"), pid) > 0) {
      throw inUse(admin, "shared with another socket");
    }
  }

  /**
   * The sockets listening on exactly {@code admin}'s address and port that are not among process
   * {@code pid}'s descriptors (none: -1 as a pid); -1 when unknown.
   */
  static int others(SocketEndpoint.Tcp admin, Path proc, long pid) {
    InetSocketAddress address = (InetSocketAddress) admin.address();
    boolean v6 = address.getAddress() instanceof Inet6Address;
    String local = kernelForm(address.getAddress().getAddress()) + ":" + portForm(admin.port());
    int count = 0;
    try {
      Set<String> own = pid < 0 ? Set.of() : socketInodes(proc.resolve(Long.toString(pid)));
      try (BufferedReader lines =
          Files.newBufferedReader(
              proc.resolve("net").resolve(v6 ? "tcp6" : "tcp"), StandardCharsets.US_ASCII)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
          String[] fields = line.trim().split("\\s+", 11);
          if (fields.length >= 10
              && fields[1].equals(local)
              && fields[3].equals(LISTEN)
              && !own.contains(fields[9])) {
            count++;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return count;
  }

  /** The inodes of the sockets among a process's descriptors ({@code socket:[INODE]} links). */
  private static Set<String> socketInodes(Path process) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(process.resolve("fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[") && target.endsWith("]")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    return inodes;
  }

  /** An address as the kernel prints it there: 32-bit words in the host's byte order, in hex. */
  private static String kernelForm(byte[] address) {
    byte[] words = address.clone();
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      for (int word = 0; word < words.length; word += 4) {
        for (int i = 0; i < 2; i++) {
          byte swap = words[word + i];
          words[word + i] = words[word + 3 - i];
          words[word + 3 - i] = swap;
        }
      }
    }
    return HexFormat.of().withUpperCase().formatHex(words);
  }

  private static String portForm(int port) {
    return HexFormat.of().withUpperCase().toHexDigits((short) port);
  }

  private static Main.EnvoyFailedException inUse(SocketEndpoint.Tcp admin, String how) {
    return new Main.EnvoyFailedException(
        "Envoy's admin address "
            + admin
            + " is "
            + how
            + ": another Envoy's admin or metrics listener? Each Envoy in one network namespace"
            + " needs its own admin port (ENVOY_ADMIN_ACCESS_PORT)");
  }
}
