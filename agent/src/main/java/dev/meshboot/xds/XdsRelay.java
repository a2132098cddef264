package dev.meshboot.xds;

import dev.meshboot.io.Transport;
import dev.meshboot.io.UnixSockets;
import dev.meshboot.log.Log;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The ADS relay: a gRPC server on a unix socket (mode 0600) serving Envoy's ADS streams, both
 * state-of-the-world and delta. Each downstream stream opens one upstream stream to the management
 * endpoint (TLS with SNI, keepalive every 10 s with a 20 s timeout, SigV4-signed when a region is
 * known), and messages pass through unchanged as bytes; only a few top-level fields are read for
 * the status (ACK/NACK per type). An upstream failure closes the downstream stream with the same
 * status, so Envoy sees it and reconnects with its own backoff.
 *
 * <p>With a {@link LastGoodCache}, what Envoy acknowledges is kept, and a stream whose upstream
 * cannot be reached is answered from the cache instead; the relay then watches the management
 * endpoint and ends those streams once it is reachable, so Envoy reconnects to live configuration.
 */
public final class XdsRelay implements AutoCloseable, RelayedStream.Relay {

  private static final Log log = Log.of(XdsRelay.class);

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

  private final ExecutorService executor;
  private final UpstreamChannel upstream;
  private final String upstreamName;
  private final Optional<LastGoodCache> cache;
  private final RelayStatus status;
  private final UpstreamWatch watch;
  private final Optional<SigV4CallCredentials> credentials;
  private final Optional<Supplier<Map<String, Object>>> identity;
  private @org.jspecify.annotations.Nullable Server server;

  private XdsRelay(
      ExecutorService executor,
      UpstreamChannel upstream,
      String upstreamName,
      Optional<LastGoodCache> cache,
      Optional<SigV4CallCredentials> credentials,
      Optional<Supplier<Map<String, Object>>> identity,
      Clock clock) {
    this.upstreamName = upstreamName;
    this.cache = cache;
    this.identity = identity;
    this.credentials = credentials;
    this.executor = executor;
    this.upstream = upstream;
    this.status = new RelayStatus(clock);
    this.watch = new UpstreamWatch(upstream::current, executor, status, upstreamName);
  }

  /**
   * Listens on {@code socket}, on {@code transport}'s event loop, and relays to {@code upstream},
   * keeping Envoy's last-known-good configuration in {@code cache} when there is one.
   */
  public static XdsRelay start(
      Transport transport,
      Path socket,
      Upstream upstream,
      Optional<LastGoodCache> cache,
      Clock clock)
      throws IOException {
    return start(transport, socket, upstream, cache, clock, UpstreamChannel.Age.CONTRACT);
  }

  static XdsRelay start(
      Transport transport,
      Path socket,
      Upstream upstream,
      Optional<LastGoodCache> cache,
      Clock clock,
      UpstreamChannel.Age age)
      throws IOException {
    // The event-loop thread meshboot's HTTP side already has carries the relay too.
    EventLoopGroup group = transport.group();
    ExecutorService executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("meshboot-xds-", 0).factory());
    XdsRelay relay =
        new XdsRelay(
            executor,
            UpstreamChannel.open(upstream, group, age),
            upstream.host() + ":" + upstream.port(),
            cache,
            upstream
                .signing()
                .map(
                    s ->
                        new SigV4CallCredentials(
                            s.region(), s.signingName(), s.credentials(), executor)),
            upstream.signing().map(Signing::identity),
            clock);
    // Begun before binding, in the background: the handshake is the longest part of the way to the
    // first answer, and the bind needs none of it.
    relay.warm();
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
                            .withOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
                            .withChildOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
                            // Messages are passed on where they arrive, on the event loop: no
                            // thread hop per message (bench/relay.py); nothing here blocks.
                            .directExecutor()
                            .flowControlWindow(Ads.FLOW_CONTROL_WINDOW)
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
        upstream.signing().map(s -> s.signingName() + "/" + s.region()).orElse("none"),
        "cache",
        cache.map(LastGoodCache::root).map(Object::toString).orElse("off"));
    return relay;
  }

  /**
   * Makes the upstream ready before Envoy asks: Envoy starts right after the relay listens, and its
   * first stream would otherwise wait for the connection, the TLS handshake and the first signature
   * (credentials, the signer's classes), all begun lazily at that stream (bench/first_answer.py,
   * relay case). In the background; a failure changes nothing.
   */
  private void warm() {
    executor.execute(upstream::connect);
    credentials.ifPresent(
        signer -> signer.warm(upstream.current().authority(), Ads.SOTW.getFullMethodName()));
  }

  private record Bound(Server server) implements AutoCloseable {
    @Override
    public void close() {
      server.shutdownNow();
    }
  }

  private ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(Ads.SERVICE)
        .addMethod(Ads.SOTW, handler(Ads.SOTW, false))
        .addMethod(Ads.DELTA, handler(Ads.DELTA, true))
        .build();
  }

  private ServerCallHandler<byte[], byte[]> handler(
      MethodDescriptor<byte[], byte[]> method, boolean delta) {
    return (downstream, headers) -> {
      CallOptions options = CallOptions.DEFAULT;
      if (credentials.isPresent()) {
        options = options.withCallCredentials(credentials.get());
      }
      ManagedChannel channel = upstream.current();
      RelayedStream stream =
          new RelayedStream(
              delta, downstream, channel.newCall(method, options), status, cache, this);
      upstream.opened(stream, channel);
      return stream.start();
    };
  }

  @Override
  public void servingFromCache(RelayedStream stream) {
    watch.add(stream);
  }

  @Override
  public void ended(RelayedStream stream) {
    watch.remove(stream);
    upstream.ended(stream);
  }

  @Override
  public boolean envoyFedFromCache() {
    return status.configSource() == RelayStatus.Source.CACHE;
  }

  /** For {@code /status}. */
  public Map<String, Object> status() {
    Map<String, Object> out = status.toMap();
    out.put("upstream", upstreamName);
    out.put("cacheDirectory", cache.map(c -> c.root().toString()).orElse(null));
    identity.ifPresent(described -> out.put("credentials", described.get()));
    return out;
  }

  /** The relay's metrics in Prometheus text format. */
  public String prometheus() {
    StringBuilder out = new StringBuilder();
    status.prometheus(out);
    return out.toString();
  }

  /**
   * Whether Envoy runs on the last-known-good configuration: working, but not as the management
   * server would have it.
   */
  public boolean degraded() {
    return status.configSource() == RelayStatus.Source.CACHE;
  }

  /** What is wrong with the management connection, in words; empty when nothing is. */
  public List<String> problems() {
    Optional<RelayStatus.Failure> failure = status.lastFailure();
    String why = failure.map(f -> " (" + f.status() + ": " + f.description() + ")").orElse("");
    if (!degraded()
        && !status.connected()
        && failure.isPresent()
        && !failure.get().unreachable()
        && !failure.get().at().isBefore(status.lastOpened())) {
      // The endpoint answered: a refusal (16, 7) or another error is not an outage.
      RelayStatus.Failure answered = failure.get();
      return List.of(
          "the management endpoint "
              + upstreamName
              + (answered.refusal() ? " refused the xDS stream (" : " ended the xDS stream (")
              + answered.code()
              + " "
              + answered.status()
              + ": "
              + answered.description()
              + ")"
              + (answered.fix().isEmpty() ? "" : ": " + answered.fix()));
    }
    if (degraded()) {
      return List.of(
          "Envoy runs the last-known-good configuration from the cache: the management endpoint "
              + upstreamName
              + " cannot be reached"
              + why);
    }
    if (!status.connected()
        && status.configSource() == RelayStatus.Source.NONE
        && failure.isPresent()) {
      return List.of(
          "the xDS relay cannot reach the management endpoint "
              + upstreamName
              + why
              + (cache.isPresent()
                  ? " and has no last-known-good configuration for this node in "
                      + cache.get().root()
                  : " and keeps no last-known-good configuration (MESHBOOT_XDS_CACHE=false)"));
    }
    return List.of();
  }

  /** Whether an upstream stream is open. */
  public boolean connected() {
    return status.connected();
  }

  @Override
  public void close() {
    watch.close();
    status.closing();
    try {
      if (server != null) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
      upstream.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    cache.ifPresent(LastGoodCache::close);
  }
}
