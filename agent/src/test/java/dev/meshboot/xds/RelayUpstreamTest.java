package dev.meshboot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.testing.SharedTransport;
import dev.meshboot.testing.Wait;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay between a client standing in for Envoy and an upstream that comes, goes and ages: ACKed
 * responses are kept in the last-known-good cache, NACKed ones not; an unreachable upstream is
 * answered from the cache, and its return ends the cached stream so Envoy reconnects to live
 * configuration; a connection at its maximum age gives way to a new one.
 */
class RelayUpstreamTest {

  static final String NODE = LastGoodCacheTest.NODE;
  static final String CLUSTER = WireTest.CLUSTER;

  private @Nullable Server upstream;
  private XdsRelay relay;
  private ManagedChannel envoy;
  private MultiThreadIoEventLoopGroup group;
  private int port;
  private final BlockingQueue<DiscoveryRequest> received = new LinkedBlockingQueue<>();
  private final Set<SocketAddress> connections = ConcurrentHashMap.newKeySet();
  private final Set<ServerCall<byte[], byte[]>> calls = ConcurrentHashMap.newKeySet();
  private final AtomicInteger nonces = new AtomicInteger();
  private volatile String version = "v1";
  private volatile List<String> clusters = List.of("a");

  @AfterEach
  void stop() throws Exception {
    envoy.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    relay.close();
    stopUpstream();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** Answers each subscription (a request without a nonce) with the current clusters. */
  private void startUpstream() throws Exception {
    ServerServiceDefinition ads =
        StandInAds.service(
            (call, message) -> {
              connections.add(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
              calls.add(call);
              DiscoveryRequest request = DiscoveryRequest.parseFrom(message);
              received.add(request);
              if (request.getResponseNonce().isEmpty()) {
                call.sendMessage(clusters(version));
              }
            });
    upstream =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
            .addService(ads)
            .build()
            .start();
  }

  private byte[] clusters(String v) throws Exception {
    return DiscoveryResponse.parseFrom(
            LastGoodCacheTest.clusters(v, clusters.toArray(String[]::new)))
        .toBuilder()
        .setNonce("n" + nonces.incrementAndGet())
        .build()
        .toByteArray();
  }

  private void stopUpstream() throws InterruptedException {
    if (upstream != null) {
      upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      upstream = null;
    }
  }

  /** The upstream and a relay with a cache; Envoy's stream has accepted v1, which is cached. */
  private EnvoyStream acceptedV1WithACache(Path tmp) throws Exception {
    port = freePort();
    startUpstream();
    startRelay(tmp, Optional.of(cache(tmp)));
    EnvoyStream stream = open();
    stream.subscribe("");
    stream.ack(stream.next());
    waitFor(() -> relay.status().get("acked").toString().contains("version=v1"));
    return stream;
  }

  private void startRelay(Path tmp, Optional<LastGoodCache> cache) throws Exception {
    startRelay(tmp, cache, UpstreamChannel.Age.CONTRACT);
  }

  private void startRelay(Path tmp, Optional<LastGoodCache> cache, UpstreamChannel.Age age)
      throws Exception {
    relay =
        XdsRelay.start(
            SharedTransport.get(),
            tmp.resolve("relay.sock"),
            new XdsRelay.Upstream("127.0.0.1", port, false, Optional.empty(), Optional.empty()),
            cache,
            Clock.systemUTC(),
            age);
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    envoy =
        NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(tmp.resolve("relay.sock")))
            .channelType(NioDomainSocketChannel.class)
            .eventLoopGroup(group)
            .usePlaintext()
            .build();
  }

  private LastGoodCache cache(Path tmp) {
    return new LastGoodCache(tmp.resolve("cache"), "127.0.0.1:" + port, Clock.systemUTC());
  }

  private EnvoyStream open() {
    return EnvoyStream.open(envoy);
  }

  private static List<String> names(DiscoveryResponse response) {
    return response.getResourcesList().stream()
        .map(
            any -> {
              try {
                return any.unpack(Cluster.class).getName();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            })
        .toList();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Lets the cache's background writer finish, then reads the cache as a fresh start would. */
  private Optional<ResourceSet> stored(Path tmp) {
    relay.close(); // closes the cache, which waits for its writes
    LastGoodCache reread = cache(tmp);
    reread.loading(NODE).join();
    return reread.get(NODE, CLUSTER);
  }

  @Test
  void keepsWhatEnvoyAcknowledgedAndNeverWhatItRejected(@TempDir Path tmp) throws Exception {
    port = freePort();
    startUpstream();
    startRelay(tmp, Optional.of(cache(tmp)));
    EnvoyStream stream = open();
    stream.subscribe("");
    DiscoveryResponse v1 = stream.next();
    stream.ack(v1);
    version = "v2";
    clusters = List.of("a", "broken");
    stream.subscribe("v1"); // makes the stand-in upstream send v2
    DiscoveryResponse v2 = stream.next();
    assertThat(v2.getVersionInfo()).isEqualTo("v2");
    stream.nack(v2);
    waitFor(() -> relay.status().get("lastNack") != null);

    ResourceSet kept = stored(tmp).orElseThrow();
    assertThat(kept.version()).isEqualTo("v1");
    assertThat(kept.resources()).containsOnlyKeys("a");
  }

  @Test
  void servesTheCacheWhileTheUpstreamIsDownThenSendsEnvoyBackToLive(@TempDir Path tmp)
      throws Exception {
    acceptedV1WithACache(tmp);
    relay.close(); // and the cache, which waits for its write
    envoy.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    stopUpstream();
    received.clear();

    // A new meshboot and a new Envoy while the management endpoint is down.
    startRelay(tmp, Optional.of(cache(tmp)));
    EnvoyStream cached = open();
    cached.subscribe("");
    DiscoveryResponse fromCache = cached.next();
    assertThat(fromCache.getVersionInfo()).isEqualTo("v1");
    assertThat(fromCache.getNonce()).startsWith("meshboot-cache-");
    assertThat(names(fromCache)).containsExactly("a");
    cached.ack(fromCache);
    waitFor(relay::degraded);
    assertThat(relay.status())
        .containsEntry("configSource", "cache")
        .containsEntry("responsesServedFromCache", 1L);
    assertThat(relay.problems())
        .singleElement()
        .asString()
        .contains("last-known-good configuration from the cache")
        .contains("127.0.0.1:" + port);
    assertThat(relay.prometheus()).contains("meshboot_xds_config_source{source=\"cache\"} 1");
    assertThat(cached.closed()).isNotDone();

    // The management endpoint returns, with a configuration of the same version: the cached
    // stream ends, and Envoy's next stream asks for the whole state, not just what is newer.
    clusters = List.of("a", "b");
    startUpstream();
    Status ended = cached.closed().get(20, TimeUnit.SECONDS);
    assertThat(ended.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(ended.getDescription()).contains("reachable again");
    EnvoyStream live = open();
    live.subscribe("v1");
    DiscoveryResponse fresh = live.next();
    assertThat(names(fresh)).containsExactly("a", "b");
    assertThat(received.poll(5, TimeUnit.SECONDS).getVersionInfo())
        .as("the cached version is not passed on")
        .isEmpty();
    live.ack(fresh);
    waitFor(() -> !relay.degraded());
    assertThat(relay.status()).containsEntry("configSource", "live");
    assertThat(relay.problems()).isEmpty();
  }

  @Test
  void aStreamTheServerAnsweredEndsForEnvoyWhichThenGetsTheCache(@TempDir Path tmp)
      throws Exception {
    EnvoyStream live = acceptedV1WithACache(tmp);

    // A restart, or the connection's age: the server ends its streams, and Envoy reconnects.
    calls.forEach(
        call -> call.close(Status.UNAVAILABLE.withDescription("restarting"), new Metadata()));
    Status ended = live.closed().get(10, TimeUnit.SECONDS);
    assertThat(ended.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(ended.getDescription()).isEqualTo("restarting");
    assertThat(live.responses()).as("nothing from the cache on that stream").isEmpty();
    stopUpstream();

    EnvoyStream again = open(); // and finds the endpoint down
    again.subscribe("v1");
    assertThat(again.next().getNonce()).startsWith("meshboot-cache-");
  }

  @Test
  void aConnectionAtItsMaximumAgeGivesWayToANewOne(@TempDir Path tmp) throws Exception {
    port = freePort();
    startUpstream();
    startRelay(
        tmp,
        Optional.empty(),
        new UpstreamChannel.Age(Duration.ofMillis(1500), Duration.ofMillis(300)));
    EnvoyStream first = open();
    first.subscribe("");
    first.ack(first.next());
    assertThat(connections).hasSize(1);

    Status ended = first.closed().get(10, TimeUnit.SECONDS);
    assertThat(ended.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(ended.getDescription()).contains("maximum age");

    EnvoyStream second = open();
    second.subscribe("v1");
    assertThat(second.next().getVersionInfo()).isEqualTo("v1");
    assertThat(connections).as("a new TCP connection").hasSize(2);
    assertThat(relay.problems()).isEmpty();
  }

  @Test
  void withoutACacheForTheNodeEnvoySeesTheFailure(@TempDir Path tmp) throws Exception {
    port = freePort(); // nothing listens there
    startRelay(tmp, Optional.of(cache(tmp)));
    EnvoyStream stream = open();
    stream.subscribe("");
    assertThat(stream.closed().get(10, TimeUnit.SECONDS).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(relay.problems())
        .singleElement()
        .asString()
        .contains("cannot reach the management endpoint 127.0.0.1:" + port)
        .contains("no last-known-good configuration for this node");
    assertThat(relay.status()).containsEntry("configSource", "none");
  }

  @Test
  void aCorruptCacheIsNeverServed(@TempDir Path tmp) throws Exception {
    port = freePort();
    try (LastGoodCache cache = cache(tmp)) {
      cache.accepted(NODE, LastGoodCacheTest.clusters("v1", "a"), List.of());
    }
    try (Stream<Path> files = Files.list(cache(tmp).directory(NODE))) {
      Path file = files.findFirst().orElseThrow();
      byte[] bytes = Files.readAllBytes(file);
      bytes[bytes.length - 20] ^= 1;
      Files.write(file, bytes);
    }
    startRelay(tmp, Optional.of(cache(tmp)));
    EnvoyStream stream = open();
    stream.subscribe("");
    assertThat(stream.closed().get(10, TimeUnit.SECONDS).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(stream.responses()).isEmpty();
  }

  private static void waitFor(Wait.Check condition) throws Exception {
    Wait.until("the relay's status", java.time.Duration.ofSeconds(10), condition);
  }
}
