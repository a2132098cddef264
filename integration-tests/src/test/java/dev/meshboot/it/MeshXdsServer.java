package dev.meshboot.it;

import dev.meshboot.mesh.NodeResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A java-control-plane ADS (and SDS) server on a unix socket, which Envoys in any network namespace
 * reach: each node id gets the snapshot {@link #serve} set for it, and every NACK an Envoy sends is
 * kept for the test to assert on.
 */
final class MeshXdsServer implements AutoCloseable {

  private final SimpleCache<String> cache = new SimpleCache<>(node -> node.getId());
  private final Map<String, List<String>> nacks = new ConcurrentHashMap<>();
  private final AtomicInteger versions = new AtomicInteger();
  private final EventLoopGroup loop =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final Server server;
  private final Path socket;

  private MeshXdsServer(Path socket) throws IOException {
    this.socket = socket;
    V3DiscoveryServer discovery =
        new V3DiscoveryServer(
            new DiscoveryServerCallbacks() {
              @Override
              public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
                if (request.hasErrorDetail()) {
                  nack(
                      request.getNode().getId(),
                      request.getTypeUrl(),
                      request.getErrorDetail().getMessage());
                }
              }

              @Override
              public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
                if (request.hasErrorDetail()) {
                  nack(
                      request.getNode().getId(),
                      request.getTypeUrl(),
                      request.getErrorDetail().getMessage());
                }
              }
            },
            cache);
    server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(loop)
            .workerEventLoopGroup(loop)
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .addService(discovery.getSecretDiscoveryServiceImpl())
            .build()
            .start();
  }

  static MeshXdsServer start(Path socket) throws IOException {
    return new MeshXdsServer(socket);
  }

  Path socket() {
    return socket;
  }

  /**
   * Serves {@code resources} (and {@code secrets} for SDS) to the Envoy with node id {@code
   * nodeId}.
   */
  void serve(String nodeId, NodeResources resources, List<Secret> secrets) {
    cache.setSnapshot(
        nodeId,
        Snapshot.create(
            resources.clusters(),
            resources.endpoints(),
            resources.listeners(),
            resources.routes(),
            secrets,
            Integer.toString(versions.incrementAndGet())));
  }

  /** The NACKs Envoy {@code nodeId} sent: type URL and error. */
  List<String> nacks(String nodeId) {
    return List.copyOf(nacks.getOrDefault(nodeId, List.of()));
  }

  private void nack(String node, String type, String error) {
    nacks.computeIfAbsent(node, n -> new CopyOnWriteArrayList<>()).add(type + ": " + error);
  }

  @Override
  public void close() {
    try {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
