package dev.meshboot.mesh.serve;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An ADS client that behaves as Envoy does on the wire (for the tests and the benchmark): its first
 * request carries the node, later ones do not; it subscribes to every cluster and listener (and to
 * the route configurations the listeners name, by name), and answers every response with an ACK, or
 * a NACK when {@code reject} says so. State-of-the-world or delta.
 */
public final class AdsClient implements AutoCloseable {

  public static final String CLUSTERS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  public static final String LISTENERS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  public static final String ROUTES =
      "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  /** A response received: its type, version (delta: system version) and resource names. */
  public record Received(String type, String version, List<String> names, long atNanos) {}

  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> closed = new CompletableFuture<>();
  private final Map<String, String> accepted = new ConcurrentHashMap<>();
  private final Predicate<Received> reject;
  private final Object sending = new Object();
  private StreamObserver<DiscoveryRequest> sotw;
  private StreamObserver<DeltaDiscoveryRequest> delta;
  private boolean first = true;

  private AdsClient(Predicate<Received> reject) {
    this.reject = reject;
  }

  /** A state-of-the-world stream for {@code nodeId}, ACKing everything. */
  public static AdsClient sotw(Channel channel, String nodeId) {
    return sotw(channel, nodeId, r -> false);
  }

  /** A state-of-the-world stream for {@code nodeId}; {@code reject} picks the responses to NACK. */
  public static AdsClient sotw(Channel channel, String nodeId, Predicate<Received> reject) {
    AdsClient client = new AdsClient(reject);
    client.sotw =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(client.new SotwObserver());
    Node node = Node.newBuilder().setId(nodeId).setCluster(nodeId).build();
    client.sendSotw(DiscoveryRequest.newBuilder().setTypeUrl(CLUSTERS), node);
    client.sendSotw(DiscoveryRequest.newBuilder().setTypeUrl(LISTENERS), node);
    return client;
  }

  /** A delta stream for {@code nodeId} (wildcard clusters and listeners), ACKing everything. */
  public static AdsClient delta(Channel channel, String nodeId) {
    AdsClient client = new AdsClient(r -> false);
    client.delta =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .deltaAggregatedResources(client.new DeltaObserver());
    Node node = Node.newBuilder().setId(nodeId).build();
    client.sendDelta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(CLUSTERS), node);
    client.sendDelta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(LISTENERS), node);
    return client;
  }

  private void sendSotw(DiscoveryRequest.Builder request, Node node) {
    synchronized (sending) {
      if (first) {
        request.setNode(node);
        first = false;
      }
      sotw.onNext(request.build());
    }
  }

  private void sendDelta(DeltaDiscoveryRequest.Builder request, Node node) {
    synchronized (sending) {
      if (first) {
        request.setNode(node);
        first = false;
      }
      delta.onNext(request.build());
    }
  }

  /** The next response, within 10 s. */
  public Received next() throws InterruptedException {
    Received next = received.poll(10, TimeUnit.SECONDS);
    if (next == null) {
      throw new AssertionError("no response within 10 s; stream closed: " + closed.getNow(null));
    }
    return next;
  }

  /** The next response within {@code millis}, or null. */
  public Received poll(long millis) throws InterruptedException {
    return received.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** The last version accepted per type (state-of-the-world). */
  public Map<String, String> accepted() {
    return Map.copyOf(accepted);
  }

  /** How the stream ended (the server's status), when it did. */
  public CompletableFuture<Status> closed() {
    return closed;
  }

  @Override
  public void close() {
    synchronized (sending) {
      if (sotw != null) {
        sotw.onCompleted();
      } else {
        delta.onCompleted();
      }
    }
  }

  private final class SotwObserver implements StreamObserver<DiscoveryResponse> {
    @Override
    public void onNext(DiscoveryResponse response) {
      List<String> names =
          response.getResourcesList().stream()
              .map(any -> name(response.getTypeUrl(), any))
              .toList();
      Received one =
          new Received(response.getTypeUrl(), response.getVersionInfo(), names, System.nanoTime());
      DiscoveryRequest.Builder answer =
          DiscoveryRequest.newBuilder()
              .setTypeUrl(response.getTypeUrl())
              .setResponseNonce(response.getNonce());
      if (reject.test(one)) {
        answer
            .setVersionInfo(accepted.getOrDefault(response.getTypeUrl(), ""))
            .setErrorDetail(
                com.google.rpc.Status.newBuilder()
                    .setCode(3)
                    .setMessage("test client rejects version " + response.getVersionInfo()));
      } else {
        accepted.put(response.getTypeUrl(), response.getVersionInfo());
        answer.setVersionInfo(response.getVersionInfo());
      }
      sendSotw(answer, Node.getDefaultInstance());
      if (response.getTypeUrl().equals(LISTENERS) && !reject.test(one)) {
        // The listeners name their route configurations (RDS): subscribe to them, as Envoy does.
        List<String> routes =
            response.getResourcesList().stream()
                .flatMap(listener -> routesOf(listener).stream())
                .distinct()
                .sorted()
                .toList();
        if (!routes.isEmpty() && !accepted.containsKey(ROUTES + "#subscribed")) {
          accepted.put(ROUTES + "#subscribed", "");
          sendSotw(
              DiscoveryRequest.newBuilder().setTypeUrl(ROUTES).addAllResourceNames(routes),
              Node.getDefaultInstance());
        }
      }
      received.add(one);
    }

    @Override
    public void onError(Throwable t) {
      closed.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      closed.complete(Status.OK);
    }
  }

  private final class DeltaObserver implements StreamObserver<DeltaDiscoveryResponse> {
    @Override
    public void onNext(DeltaDiscoveryResponse response) {
      List<String> names = response.getResourcesList().stream().map(r -> r.getName()).toList();
      sendDelta(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(response.getTypeUrl())
              .setResponseNonce(response.getNonce()),
          Node.getDefaultInstance());
      received.add(
          new Received(
              response.getTypeUrl(), response.getSystemVersionInfo(), names, System.nanoTime()));
    }

    @Override
    public void onError(Throwable t) {
      closed.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      closed.complete(Status.OK);
    }
  }

  private static String name(String type, com.google.protobuf.Any any) {
    try {
      return switch (type) {
        case CLUSTERS -> any.unpack(io.envoyproxy.envoy.config.cluster.v3.Cluster.class).getName();
        case LISTENERS ->
            any.unpack(io.envoyproxy.envoy.config.listener.v3.Listener.class).getName();
        case ROUTES ->
            any.unpack(io.envoyproxy.envoy.config.route.v3.RouteConfiguration.class).getName();
        default -> "?";
      };
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  /** The route configurations a listener's HTTP connection managers ask for over RDS. */
  private static List<String> routesOf(com.google.protobuf.Any listener) {
    try {
      List<String> routes = new java.util.ArrayList<>();
      for (var chain :
          listener
              .unpack(io.envoyproxy.envoy.config.listener.v3.Listener.class)
              .getFilterChainsList()) {
        for (var filter : chain.getFiltersList()) {
          var config = filter.getTypedConfig();
          if (config.is(
              io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
                  .HttpConnectionManager.class)) {
            var manager =
                config.unpack(
                    io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
                        .HttpConnectionManager.class);
            if (manager.hasRds()) {
              routes.add(manager.getRds().getRouteConfigName());
            }
          }
        }
      }
      return routes;
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
