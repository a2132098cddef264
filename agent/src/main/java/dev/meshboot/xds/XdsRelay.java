package dev.meshboot.xds;

import dev.meshboot.http.Transport;
import dev.meshboot.http.UnixSockets;
import dev.meshboot.log.Log;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The ADS relay: a gRPC server on a unix socket (mode 0600) serving Envoy's ADS streams, both
 * state-of-the-world and delta. Each downstream stream opens one upstream stream to the management
 * endpoint (TLS with SNI, keepalive every 10 s with a 20 s timeout, SigV4-signed when a region is
 * known), and messages pass through unchanged as bytes; only a few top-level fields are read for
 * the status (ACK/NACK per type). An upstream failure closes the downstream stream with the same
 * status, so Envoy sees it and reconnects with its own backoff.
 */
public final class XdsRelay implements AutoCloseable {

  private static final Log log = Log.of(XdsRelay.class);

  static final String SERVICE = "envoy.service.discovery.v3.AggregatedDiscoveryService";

  /**
   * HTTP/2 flow-control window of both hops: a large response (a mesh's clusters can reach
   * megabytes) then crosses each hop without waiting for window updates.
   */
  static final int FLOW_CONTROL_WINDOW = 16 << 20;

  /** How the relay reaches the management endpoint. */
  public record Upstream(
      String host, int port, boolean tls, Optional<Path> caFile, Optional<Signing> signing) {}

  /**
   * SigV4 settings; credentials are asked per stream. {@code identity} describes them for {@code
   * /status} (source, ARN, expiry; never a secret).
   */
  public record Signing(
      String region,
      String signingName,
      Supplier<? extends AwsCredentialsIdentity> credentials,
      Supplier<Map<String, Object>> identity) {}

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static final MethodDescriptor<byte[], byte[]> SOTW = method("StreamAggregatedResources");
  static final MethodDescriptor<byte[], byte[]> DELTA = method("DeltaAggregatedResources");

  private static MethodDescriptor<byte[], byte[]> method(String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }

  private final ExecutorService executor;
  private final ManagedChannel channel;
  private final RelayStatus status;
  private final Optional<SigV4CallCredentials> credentials;
  private final Optional<Supplier<Map<String, Object>>> identity;
  private @org.jspecify.annotations.Nullable Server server;

  private XdsRelay(
      ExecutorService executor,
      ManagedChannel channel,
      Optional<SigV4CallCredentials> credentials,
      Optional<Supplier<Map<String, Object>>> identity,
      Clock clock) {
    this.identity = identity;
    this.credentials = credentials;
    this.executor = executor;
    this.channel = channel;
    this.status = new RelayStatus(clock);
  }

  /** Listens on {@code socket} and relays to {@code upstream}. */
  public static XdsRelay start(Path socket, Upstream upstream, Clock clock) throws IOException {
    // The event-loop thread meshboot's HTTP side already has carries the relay too.
    EventLoopGroup group = Transport.group();
    ExecutorService executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("meshboot-xds-", 0).factory());
    XdsRelay relay =
        new XdsRelay(
            executor,
            channel(upstream, group, executor),
            upstream
                .signing()
                .map(s -> new SigV4CallCredentials(s.region(), s.signingName(), s.credentials())),
            upstream.signing().map(Signing::identity),
            clock);
    try {
      relay.server =
          UnixSockets.bindPrivately(
                  socket,
                  temporary -> {
                    Server bound =
                        NettyServerBuilder.forAddress(UnixDomainSocketAddress.of(temporary))
                            .channelType(NioServerDomainSocketChannel.class)
                            .bossEventLoopGroup(group)
                            .workerEventLoopGroup(group)
                            .executor(executor)
                            .flowControlWindow(FLOW_CONTROL_WINDOW)
                            .maxInboundMessageSize(Integer.MAX_VALUE)
                            // Envoy pings this connection every 10 s (ads-relay.yaml), stream
                            // or not; gRPC's default allows one ping in 5 minutes and answered
                            // the third with GOAWAY (too_many_pings), cutting Envoy's ADS stream.
                            // Only Envoy reaches this 0600 socket: any rate is allowed.
                            .permitKeepAliveTime(0, TimeUnit.NANOSECONDS)
                            .permitKeepAliveWithoutCalls(true)
                            .addService(relay.service())
                            .build();
                    return new Bound(bound.start());
                  })
              .server();
    } catch (IOException | RuntimeException e) {
      relay.close();
      throw e;
    }
    log.info(
        "xDS relay listening",
        "socket",
        socket,
        "upstream",
        upstream.host() + ":" + upstream.port(),
        "tls",
        upstream.tls(),
        "signing",
        upstream.signing().map(s -> s.signingName() + "/" + s.region()).orElse("none"));
    return relay;
  }

  private record Bound(Server server) implements AutoCloseable {
    @Override
    public void close() {
      server.shutdownNow();
    }
  }

  private static ManagedChannel channel(
      Upstream upstream, EventLoopGroup group, ExecutorService executor) throws IOException {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress(upstream.host(), upstream.port())
            .channelType(NioSocketChannel.class)
            .eventLoopGroup(group)
            .executor(executor)
            .keepAliveTime(10, TimeUnit.SECONDS)
            .keepAliveTimeout(20, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(true)
            .maxInboundMessageSize(Integer.MAX_VALUE)
            .flowControlWindow(FLOW_CONTROL_WINDOW);
    if (upstream.tls()) {
      try {
        var ssl = GrpcSslContexts.forClient();
        if (upstream.caFile().isPresent()) {
          ssl.trustManager(upstream.caFile().get().toFile());
        }
        builder.sslContext(ssl.build());
      } catch (SSLException | IllegalArgumentException e) {
        throw new IOException(
            "cannot set up TLS to the management endpoint"
                + upstream.caFile().map(ca -> " with MESHBOOT_XDS_CA_FILE " + ca).orElse("")
                + ": "
                + e.getMessage(),
            e);
      }
    } else {
      builder.usePlaintext();
    }
    return builder.build();
  }

  private ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(SOTW, handler(SOTW, false))
        .addMethod(DELTA, handler(DELTA, true))
        .build();
  }

  private ServerCallHandler<byte[], byte[]> handler(
      MethodDescriptor<byte[], byte[]> method, boolean delta) {
    return (downstream, headers) -> {
      CallOptions options = CallOptions.DEFAULT;
      if (credentials.isPresent()) {
        options = options.withCallCredentials(credentials.get());
      }
      return new RelayedStream(delta, downstream, channel.newCall(method, options), status).start();
    };
  }

  /** For {@code /status}. */
  public Map<String, Object> status() {
    Map<String, Object> out = status.toMap();
    identity.ifPresent(described -> out.put("credentials", described.get()));
    return out;
  }

  /** Whether an upstream stream is open. */
  public boolean connected() {
    return status.connected();
  }

  @Override
  public void close() {
    try {
      if (server != null) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
      channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }
}
