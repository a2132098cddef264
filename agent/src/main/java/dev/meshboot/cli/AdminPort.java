package dev.meshboot.cli;

import dev.meshboot.io.SocketEndpoint;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * The check that makes SO_REUSEPORT on Envoy's admin safe: nothing else listens on its address.
 *
 * <p>With the metrics listener on the admin's port, the admin's socket sets SO_REUSEPORT, and the
 * kernel then lets any socket of the same user that sets it too share the address: a second Envoy
 * started by mistake on the same admin port in one network namespace (host networking, a leftover
 * Envoy) would bind without an error and take half the admin's connections, meshboot's drain and
 * {@code /quitquitquit} included. Before it starts Envoy, meshboot therefore binds the address
 * itself without SO_REUSEPORT (with SO_REUSEADDR, so that connections of a previous Envoy in
 * TIME_WAIT do not count), which fails while another socket listens there, and closes it.
 */
final class AdminPort {

  private AdminPort() {}

  /** Fails (exit 5) when another socket listens on the admin's address. */
  static void requireFree(SocketEndpoint.Tcp admin) {
    InetSocketAddress address = (InetSocketAddress) admin.address();
    ProtocolFamily family =
        address.getAddress() instanceof Inet6Address
            ? StandardProtocolFamily.INET6
            : StandardProtocolFamily.INET;
    try (ServerSocketChannel probe = ServerSocketChannel.open(family)) {
      probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      probe.bind(address, 1);
    } catch (IOException e) {
      throw new Main.EnvoyFailedException(
          "Envoy's admin address "
              + admin
              + " is already in use ("
              + e.getMessage()
              + "): another Envoy's admin or metrics listener? Each Envoy in one network namespace"
              + " needs its own ENVOY_ADMIN_ACCESS_PORT");
    }
  }
}
