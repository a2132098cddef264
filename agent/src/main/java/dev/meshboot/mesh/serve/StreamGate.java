package dev.meshboot.mesh.serve;

import dev.meshboot.log.Log;
import dev.meshboot.mesh.NodeKey;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * Admits ADS streams and keeps their books, in front of java-control-plane's discovery service. The
 * first request names the node: a stream is refused (and logged) when its node id names no virtual
 * node or gateway ({@code INVALID_ARGUMENT}), when the client certificate does not name that node
 * ({@code PERMISSION_DENIED}), or when the definition does not define it ({@code NOT_FOUND}); Envoy
 * logs the status and message, and retries with its backoff. Envoy sends the node only in a
 * stream's first request ({@code set_node_on_first_message_only}), while the cache groups every
 * request by its node: later requests get the first one's node here. Every response pushed, and
 * every ACK and NACK (its error detail logged), is counted per node.
 */
final class StreamGate implements ServerInterceptor {

  private static final Log log = Log.of(StreamGate.class);

  private final Function<NodeKey, Optional<String>> undefined;
  private final ServeStats stats;
  private final boolean identityRequired;
  private final Clock clock;

  /**
   * @param undefined why a node is not served, when it is not (the message Envoy gets)
   * @param identityRequired whether every stream must carry a client certificate naming its node
   */
  StreamGate(
      Function<NodeKey, Optional<String>> undefined,
      ServeStats stats,
      boolean identityRequired,
      Clock clock) {
    this.undefined = undefined;
    this.stats = stats;
    this.identityRequired = identityRequired;
    this.clock = clock;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Stream<Q, R> stream = new Stream<>(call);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(stream.counting(), headers)) {
      @Override
      public void onMessage(Q message) {
        Q admitted = stream.admit(message);
        if (admitted != null) {
          super.onMessage(admitted);
        }
      }

      @Override
      public void onCancel() {
        stream.ended();
        super.onCancel();
      }

      @Override
      public void onComplete() {
        stream.ended();
        super.onComplete();
      }
    };
  }

  /** One ADS stream: its node once admitted, and its responses not yet answered, by type. */
  private final class Stream<Q, R> {
    private final ServerCall<Q, R> call;
    private final String peer;
    private final boolean delta;
    private final Map<String, Push> unanswered = new ConcurrentHashMap<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile @Nullable NodeKey key;
    private volatile @Nullable NodeStats node;
    private @Nullable Node first;

    Stream(ServerCall<Q, R> call) {
      this.call = call;
      this.peer = String.valueOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
      this.delta =
          call.getMethodDescriptor().getFullMethodName().endsWith("/DeltaAggregatedResources");
    }

    /** The call as java-control-plane sees it: every response it sends is counted. */
    ServerCall<Q, R> counting() {
      return new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        @Override
        public void sendMessage(R message) {
          pushed(message);
          super.sendMessage(message);
        }
      };
    }

    /** The request to pass on (with the stream's node), or null when the stream is refused. */
    @Nullable Q admit(Q message) {
      if (first == null) {
        Node given = node(message);
        Optional<Status> refused = refusal(given);
        if (refused.isPresent()) {
          refuse(given, refused.get());
          return null;
        }
        first = given;
      }
      return withNode(answered(message), first);
    }

    private Optional<Status> refusal(Node given) {
      String id = given.getId();
      if (id.isEmpty()) {
        return Optional.of(
            Status.INVALID_ARGUMENT.withDescription(
                "the stream's first request has no node id; meshboot's control plane serves"
                    + " Envoys whose node id names an App Mesh virtual node or gateway"));
      }
      Optional<NodeKey> parsed = NodeKey.fromNodeId(id);
      if (parsed.isEmpty()) {
        return Optional.of(
            Status.INVALID_ARGUMENT.withDescription(
                "node id \""
                    + id
                    + "\" names no virtual node or gateway: expected"
                    + " mesh/<mesh>/virtualNode/<name> (or virtualGateway), or its ARN"
                    + " (APPMESH_RESOURCE_ARN)"));
      }
      if (identityRequired) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        Optional<PeerIdentity> identity =
            session == null ? Optional.empty() : PeerIdentity.of(session);
        if (identity.isEmpty() || !identity.get().allows(parsed.get())) {
          return Optional.of(
              Status.PERMISSION_DENIED.withDescription(
                  "the client certificate ("
                      + identity.map(PeerIdentity::describe).orElse("none")
                      + ") does not name node "
                      + parsed.get()
                      + ": a node receives only its own configuration; its certificate needs the"
                      + " URI name spiffe://<trust domain>/"
                      + parsed.get()
                      + " or the node's ARN"));
        }
      }
      Optional<String> missing = undefined.apply(parsed.get());
      if (missing.isPresent()) {
        return Optional.of(Status.NOT_FOUND.withDescription(missing.get()));
      }
      key = parsed.get();
      node = stats.node(parsed.get());
      node.streams.incrementAndGet();
      log.info(
          "ADS stream opened",
          "node",
          parsed.get(),
          "id",
          id,
          "peer",
          peer,
          "protocol",
          delta ? "delta" : "state-of-the-world");
      return Optional.empty();
    }

    private void refuse(Node given, Status status) {
      stats.refused(status.getCode());
      log.warn(
          "ADS stream refused",
          "node",
          given.getId(),
          "peer",
          peer,
          "status",
          status.getCode(),
          "reason",
          status.getDescription());
      // Nothing else uses the call yet: no request reached the discovery service.
      call.close(status, new Metadata());
    }

    /**
     * Counts an ACK or NACK. A state-of-the-world NACK names the version Envoy still runs, which
     * java-control-plane takes as a request for the newest version and answers at once with the
     * configuration just rejected, which Envoy rejects again, in a loop; it is passed on as naming
     * the rejected version, so that the next response is the next change.
     */
    @SuppressWarnings("unchecked") // the same message type, with the version replaced
    private Q answered(Q message) {
      NodeStats counts = node;
      String nonce = nonce(message);
      if (counts == null || nonce.isEmpty()) {
        return message; // a subscription, not an answer
      }
      String type = typeUrl(message);
      Push push = unanswered.get(type);
      if (push != null && push.nonce().equals(nonce) && unanswered.remove(type, push)) {
        counts.pending.decrementAndGet();
      } else {
        push = null;
      }
      com.google.rpc.Status error = errorDetail(message);
      if (error == null) {
        counts.acked(clock.instant());
        return message;
      }
      counts.nacked(new NodeStats.Nack(clock.instant(), type, error.getMessage()));
      log.warn(
          "Envoy rejected the configuration (NACK)",
          "node",
          key,
          "type",
          type,
          "nonce",
          nonce,
          "error",
          error.getMessage());
      return push != null && message instanceof DiscoveryRequest sotw
          ? (Q) sotw.toBuilder().setVersionInfo(push.version()).build()
          : message;
    }

    private void pushed(R message) {
      NodeStats counts = node;
      if (counts == null) {
        return;
      }
      counts.pushes.increment();
      String type;
      String nonce;
      String version;
      if (message instanceof DiscoveryResponse sotw) {
        type = sotw.getTypeUrl();
        nonce = sotw.getNonce();
        version = sotw.getVersionInfo();
      } else if (message instanceof DeltaDiscoveryResponse delta) {
        type = delta.getTypeUrl();
        nonce = delta.getNonce();
        version = delta.getSystemVersionInfo();
      } else {
        return;
      }
      if (unanswered.put(type, new Push(nonce, version)) == null) {
        counts.pending.incrementAndGet();
      }
    }

    void ended() {
      NodeStats counts = node;
      if (counts == null || !ended.compareAndSet(false, true)) {
        return;
      }
      counts.streams.decrementAndGet();
      counts.pending.addAndGet(-unanswered.size());
      unanswered.clear();
      log.info("ADS stream closed", "node", key, "peer", peer);
    }
  }

  /** A response sent and not yet answered: its nonce and version. */
  private record Push(String nonce, String version) {}

  private static Node node(Object message) {
    if (message instanceof DiscoveryRequest sotw) {
      return sotw.getNode();
    }
    if (message instanceof DeltaDiscoveryRequest delta) {
      return delta.getNode();
    }
    return Node.getDefaultInstance();
  }

  @SuppressWarnings("unchecked") // the same message type, with the node set
  private static <Q> Q withNode(Q message, Node node) {
    if (message instanceof DiscoveryRequest sotw && !sotw.hasNode()) {
      return (Q) sotw.toBuilder().setNode(node).build();
    }
    if (message instanceof DeltaDiscoveryRequest delta && !delta.hasNode()) {
      return (Q) delta.toBuilder().setNode(node).build();
    }
    return message;
  }

  private static String nonce(Object message) {
    if (message instanceof DiscoveryRequest sotw) {
      return sotw.getResponseNonce();
    }
    if (message instanceof DeltaDiscoveryRequest delta) {
      return delta.getResponseNonce();
    }
    return "";
  }

  private static String typeUrl(Object message) {
    if (message instanceof DiscoveryRequest sotw) {
      return sotw.getTypeUrl();
    }
    if (message instanceof DeltaDiscoveryRequest delta) {
      return delta.getTypeUrl();
    }
    return "";
  }

  private static com.google.rpc.@Nullable Status errorDetail(Object message) {
    if (message instanceof DiscoveryRequest sotw && sotw.hasErrorDetail()) {
      return sotw.getErrorDetail();
    }
    if (message instanceof DeltaDiscoveryRequest delta && delta.hasErrorDetail()) {
      return delta.getErrorDetail();
    }
    return null;
  }
}
