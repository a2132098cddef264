package dev.meshboot.mesh.serve;

import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.io.Transport;
import dev.meshboot.io.UnixSockets;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server Envoys connect to: TCP (plain, TLS, or TLS with client certificates) or a unix
 * socket created with mode 0600, on meshboot's shared Netty event loop; calls run on {@code
 * executor}, off the event loop (the cache's locks may block).
 *
 * @param endpoint where it listens (a TCP port 0 resolved to the port taken)
 */
record AdsServer(Server server, SocketEndpoint endpoint) implements AutoCloseable {

  /** Starts serving {@code service} on {@code endpoint}. */
  static AdsServer start(
      Transport transport,
      SocketEndpoint endpoint,
      Optional<Tls> tls,
      ServerServiceDefinition service,
      Executor executor)
      throws IOException {
    return switch (endpoint) {
      case SocketEndpoint.Tcp tcp -> {
        NettyServerBuilder builder =
            common(
                    NettyServerBuilder.forAddress(tcp.address())
                        .channelType(NioServerSocketChannel.class),
                    transport,
                    service,
                    executor)
                // Envoy pings every 10 s (ads-direct-tcp.yaml); gRPC's default allows one ping in
                // 5 minutes and answers the third with GOAWAY (too_many_pings).
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
        if (tls.isPresent()) {
          builder.sslContext(sslContext(tls.get()));
        }
        Server server = start(builder, endpoint);
        int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
        yield new AdsServer(server, new SocketEndpoint.Tcp(tcp.ip(), port));
      }
      case SocketEndpoint.Unix unix ->
          UnixSockets.bindPrivately(
              unix.path(),
              temporary ->
                  new AdsServer(
                      start(
                          common(
                                  NettyServerBuilder.forAddress(
                                          UnixDomainSocketAddress.of(temporary))
                                      .channelType(NioServerDomainSocketChannel.class),
                                  transport,
                                  service,
                                  executor)
                              // Only this user reaches the socket: any ping rate is allowed.
                              .permitKeepAliveTime(0, TimeUnit.NANOSECONDS)
                              .permitKeepAliveWithoutCalls(true),
                          endpoint),
                      unix));
    };
  }

  private static NettyServerBuilder common(
      NettyServerBuilder builder,
      Transport transport,
      ServerServiceDefinition service,
      Executor executor) {
    return builder
        .bossEventLoopGroup(transport.group())
        .workerEventLoopGroup(transport.group())
        .withOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
        .withChildOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
        .executor(executor)
        .addService(service);
  }

  private static Server start(NettyServerBuilder builder, SocketEndpoint endpoint)
      throws IOException {
    try {
      return builder.build().start();
    } catch (IOException e) {
      throw new IOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
    }
  }

  private static SslContext sslContext(Tls tls) throws IOException {
    try {
      SslContextBuilder builder =
          GrpcSslContexts.configure(
              SslContextBuilder.forServer(tls.certificate().toFile(), tls.key().toFile()),
              SslProvider.JDK);
      if (tls.clientCa().isPresent()) {
        builder.trustManager(tls.clientCa().get().toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      return builder.build();
    } catch (IllegalArgumentException | javax.net.ssl.SSLException e) {
      throw new IOException(
          "cannot use the TLS files (certificate "
              + tls.certificate()
              + ", key "
              + tls.key()
              + tls.clientCa().map(ca -> ", client CA " + ca).orElse("")
              + "; PEM, the key in PKCS#8: BEGIN PRIVATE KEY): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Stops taking streams (GOAWAY), gives open ones a moment, then cancels them: Envoy keeps its
   * configuration and reconnects (to another replica, or to this one restarted).
   */
  @Override
  public void close() {
    try {
      if (!server.shutdown().awaitTermination(1, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (endpoint instanceof SocketEndpoint.Unix unix) {
      try {
        Files.deleteIfExists(unix.path());
      } catch (IOException e) {
        // a later run replaces a stale socket
      }
    }
  }
}
