package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshboot.io.SocketEndpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin-port checks against the kernel's own view of the sockets this test holds. */
class AdminPortTest {

  private static final Path PROC = Path.of("/proc");

  @Test
  void aFreeAddressPassesAndOneHeldWithSoReuseportIsInUse() throws Exception {
    ServerSocketChannel envoy = reusePortListener("127.0.0.1", 0);
    int port = ((InetSocketAddress) envoy.getLocalAddress()).getPort();
    SocketEndpoint.Tcp admin = new SocketEndpoint.Tcp("127.0.0.1", port);
    try (envoy) {
      assertThatThrownBy(() -> AdminPort.requireFree(admin))
          .isInstanceOf(Main.EnvoyFailedException.class)
          .hasMessageContaining("127.0.0.1:" + port + " is already in use")
          .hasMessageContaining("ENVOY_ADMIN_ACCESS_PORT");
    }
    assertThatCode(() -> AdminPort.requireFree(admin)).doesNotThrowAnyException();
  }

  @Test
  void aWildcardListenerOnThePortCountsAsInUse() throws Exception {
    try (ServerSocketChannel metrics = reusePortListener("0.0.0.0", 0)) {
      int port = ((InetSocketAddress) metrics.getLocalAddress()).getPort();
      assertThatThrownBy(() -> AdminPort.requireFree(new SocketEndpoint.Tcp("127.0.0.1", port)))
          .isInstanceOf(Main.EnvoyFailedException.class);
    }
  }

  @Test
  void anAddressThatIsNotLocalIsLeftForEnvoyToReport() {
    assertThatCode(() -> AdminPort.requireFree(new SocketEndpoint.Tcp("192.0.2.1", 9901)))
        .doesNotThrowAnyException();
  }

  /**
   * What /proc/net/tcp and tcp6 say of the sockets this test holds on one exact address: another
   * process's (here: any, pid -1) counts, this process's own do not, a wildcard one never.
   */
  @Test
  void findsListenersOnTheExactAddressThatAreNotTheProcesssOwn() throws Exception {
    long self = ProcessHandle.current().pid();
    for (String ip : new String[] {"127.0.0.1", "::1"}) {
      try (ServerSocketChannel first = reusePortListener(ip, 0)) {
        int port = ((InetSocketAddress) first.getLocalAddress()).getPort();
        SocketEndpoint.Tcp admin = new SocketEndpoint.Tcp(ip, port);
        assertThat(AdminPort.others(admin, PROC, -1)).as(ip).isEqualTo(1);
        assertThat(AdminPort.others(admin, PROC, self)).as(ip).isZero();
        assertThatCode(() -> AdminPort.requireSole(admin, self)).doesNotThrowAnyException();
        ServerSocketChannel second = reusePortListener(ip, port);
        ServerSocketChannel wildcard = reusePortListener(ip.contains(":") ? "::" : "0.0.0.0", port);
        try (second;
            wildcard) {
          assertThat(AdminPort.others(admin, PROC, -1)).as(ip).isEqualTo(2);
          assertThatThrownBy(() -> AdminPort.requireSole(admin, -1))
              .isInstanceOf(Main.EnvoyFailedException.class)
              .hasMessageContaining("is shared with another socket");
        }
      }
    }
  }

  @Test
  void anUnreadableTableIsUnknown(@TempDir Path empty) {
    assertThat(AdminPort.others(new SocketEndpoint.Tcp("127.0.0.1", 9901), empty, -1))
        .isEqualTo(-1);
  }

  /** A listening socket with SO_REUSEPORT and SO_REUSEADDR, as Envoy binds its admin. */
  private static ServerSocketChannel reusePortListener(String ip, int port) throws Exception {
    InetAddress address = InetAddress.ofLiteral(ip);
    ServerSocketChannel channel =
        ServerSocketChannel.open(
            ip.contains(":") ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    channel.bind(new InetSocketAddress(address, port));
    return channel;
  }
}
