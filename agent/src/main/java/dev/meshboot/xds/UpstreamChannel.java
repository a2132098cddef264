package dev.meshboot.xds;

import dev.meshboot.io.Transport;
import dev.meshboot.log.Log;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * The connection to the management endpoint (contract §3): TLS with SNI and the system CA or {@code
 * MESHBOOT_XDS_CA_FILE}, keepalive every 10 s with a 20 s timeout, pings without calls, and a
 * maximum age of 40 minutes (±10 %, so that a fleet does not reconnect at once) with 5 s of grace:
 * at that age a new connection takes the new streams, and the streams still on the old one are
 * ended after the grace so that Envoy reconnects onto the new one. A management service behind a
 * load balancer thus sees its clients spread again after it scales.
 */
final class UpstreamChannel implements AutoCloseable {

  private static final Log log = Log.of(UpstreamChannel.class);

  /** The connection's maximum age and the grace its streams get after it. */
  record Age(Duration max, Duration grace) {
    static final Age CONTRACT = new Age(Duration.ofMinutes(40), Duration.ofSeconds(5));
  }

  /** An endpoint that drops packets fails a stream in seconds, so the cache can answer. */
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  private final Supplier<ManagedChannel> factory;
  private final EventLoopGroup group;
  private final Age age;
  private final Map<RelayedStream, ManagedChannel> streams = new ConcurrentHashMap<>();
  private volatile ManagedChannel current;
  private volatile @Nullable Future<?> rotation;
  private volatile boolean closed;

  private UpstreamChannel(Supplier<ManagedChannel> factory, EventLoopGroup group, Age age) {
    this.factory = factory;
    this.group = group;
    this.age = age;
    this.current = factory.get();
    scheduleRotation();
  }

  /** The connection to {@code upstream}; it connects at {@link #connect} or the first stream. */
  static UpstreamChannel open(XdsRelay.Upstream upstream, EventLoopGroup group, Age age)
      throws IOException {
    Optional<SslContext> tls = upstream.tls() ? Optional.of(tls(upstream)) : Optional.empty();
    Supplier<ManagedChannel> factory =
        () -> {
          NettyChannelBuilder builder =
              NettyChannelBuilder.forAddress(upstream.host(), upstream.port())
                  .channelType(NioSocketChannel.class)
                  .eventLoopGroup(group)
                  .directExecutor()
                  .withOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
                  .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                  .keepAliveTime(10, TimeUnit.SECONDS)
                  .keepAliveTimeout(20, TimeUnit.SECONDS)
                  .keepAliveWithoutCalls(true)
                  .maxInboundMessageSize(Integer.MAX_VALUE)
                  .flowControlWindow(Ads.FLOW_CONTROL_WINDOW);
          if (tls.isPresent()) {
            builder.sslContext(tls.get());
          } else {
            builder.usePlaintext();
          }
          return builder.build();
        };
    return new UpstreamChannel(factory, group, age);
  }

  private static SslContext tls(XdsRelay.Upstream upstream) throws IOException {
    try {
      var ssl = GrpcSslContexts.forClient();
      if (upstream.caFile().isPresent()) {
        ssl.trustManager(upstream.caFile().get().toFile());
      }
      return ssl.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException(
          "cannot set up TLS to the management endpoint"
              + upstream.caFile().map(ca -> " with MESHBOOT_XDS_CA_FILE " + ca).orElse("")
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Starts connecting now rather than at Envoy's first stream (the channel leaves IDLE: name
   * resolution, TCP, the TLS handshake), so that stream finds the connection up. It returns at
   * once; a failure is the channel's to retry with its backoff, and a stream on it fails as it
   * would have, so the cache still answers while the endpoint is down. The channel holds this
   * connection as it holds the one a stream opens (keepalive, idle timeout).
   */
  void connect() {
    ManagedChannel channel = current;
    ConnectivityState state = channel.getState(true);
    log.debug(
        "connecting to the management endpoint ahead of Envoy's first stream", "state", state);
    long started = System.nanoTime();
    channel.notifyWhenStateChanged(state, () -> logState(channel, started));
  }

  /** Logs (debug) how long {@code channel} took to be ready, or to fail its first attempt. */
  private static void logState(ManagedChannel channel, long started) {
    ConnectivityState state = channel.getState(false);
    if (state == ConnectivityState.CONNECTING || state == ConnectivityState.IDLE) {
      channel.notifyWhenStateChanged(state, () -> logState(channel, started));
      return;
    }
    log.debug(
        "management connection",
        "state",
        state,
        "ms",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /** The connection new streams go on. */
  ManagedChannel current() {
    return current;
  }

  /** {@code stream}'s upstream call was made on {@code channel}. */
  void opened(RelayedStream stream, ManagedChannel channel) {
    streams.put(stream, channel);
  }

  void ended(RelayedStream stream) {
    streams.remove(stream);
  }

  private void scheduleRotation() {
    if (closed) {
      return;
    }
    long millis = age.max().toMillis();
    long jittered = (long) (millis * (0.9 + 0.2 * ThreadLocalRandom.current().nextDouble()));
    rotation = group.schedule(this::rotate, jittered, TimeUnit.MILLISECONDS);
  }

  /** A new connection for new streams; the old one's streams end after the grace. */
  private void rotate() {
    if (closed) {
      return;
    }
    ManagedChannel old = current;
    current = factory.get();
    old.shutdown(); // no new calls; its streams go on for now
    log.info("the management connection reached its maximum age; new streams use a new one");
    var unused =
        group.schedule(
            () -> {
              List<RelayedStream> aged =
                  streams.entrySet().stream()
                      .filter(entry -> entry.getValue() == old)
                      .map(Map.Entry::getKey)
                      .toList();
              aged.forEach(RelayedStream::retire);
              old.shutdownNow();
            },
            age.grace().toMillis(),
            TimeUnit.MILLISECONDS);
    scheduleRotation();
  }

  @Override
  public void close() {
    closed = true;
    var scheduled = rotation;
    if (scheduled != null) {
      scheduled.cancel(false);
    }
    try {
      current.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
