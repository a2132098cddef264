package dev.meshboot.xds;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.meshboot.log.Log;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One of Envoy's ADS streams and its upstream twin: messages pass both ways unchanged; a few
 * envelope fields go to the {@link RelayStatus}; the upstream's end is Envoy's end, status and all.
 *
 * <p>With a {@link LastGoodCache} (state-of-the-world streams), every response Envoy acknowledges
 * is stored, and when the upstream cannot be reached the stream is not closed: it answers Envoy's
 * subscriptions from the cache until the relay sees the management endpoint again, then ends so
 * that Envoy reconnects to a live upstream.
 */
final class RelayedStream {

  private static final Log log = Log.of(RelayedStream.class);

  /** What the stream needs of the relay around it. */
  interface Relay {
    /** The stream serves from the cache: tell it when the upstream is reachable again. */
    void servingFromCache(RelayedStream stream);

    /** The stream ended. */
    void ended(RelayedStream stream);

    /**
     * Whether Envoy's configuration came from the cache: the first request per type then asks the
     * management server for its whole state.
     */
    boolean envoyFedFromCache();
  }

  /** Where the stream is in its life; it only moves forward, to {@link #ENDED}. */
  enum Phase {
    /** Messages pass between Envoy and the management server. */
    RELAYING,
    /**
     * The upstream failed before it answered and Envoy's node id is not known yet: Envoy's first
     * request (with its node id) decides between the cache and the end.
     */
    UPSTREAM_LOST,
    /** The cache answers Envoy's subscriptions, until the endpoint is reachable again. */
    FROM_CACHE,
    /** Envoy's stream is closed (or closing); nothing more is sent on it. */
    ENDED
  }

  private final boolean delta;
  private final ServerCall<byte[], byte[]> downstream;
  private final ClientCall<byte[], byte[]> upstream;
  private final RelayStatus status;
  private final Optional<LastGoodCache> cache;
  private final Relay relay;
  private final Answers answers;

  // Both listeners, the cache's loader and the relay's watcher reach the downstream call.
  @GuardedBy("this")
  private Phase phase = Phase.RELAYING;

  @GuardedBy("this")
  private boolean headersSent; // from the upstream, which so answered, or from the cache

  @GuardedBy("this")
  private @Nullable String nodeId;

  @GuardedBy("this")
  private @Nullable Status upstreamFailure;

  @GuardedBy("this")
  private long cacheNonces;

  @GuardedBy("this")
  private final Map<String, List<String>> subscribed = new HashMap<>();

  @GuardedBy("this")
  private final Map<String, List<String>> served = new HashMap<>();

  @GuardedBy("this")
  private final Map<String, Boolean> askedAfresh = new HashMap<>();

  RelayedStream(
      boolean delta,
      ServerCall<byte[], byte[]> downstream,
      ClientCall<byte[], byte[]> upstream,
      RelayStatus status,
      Optional<LastGoodCache> cache,
      Relay relay) {
    this.delta = delta;
    this.downstream = downstream;
    this.upstream = upstream;
    this.status = status;
    this.cache = delta ? Optional.empty() : cache;
    this.relay = relay;
    this.answers = new Answers(status, this.cache);
  }

  ServerCall.Listener<byte[]> start() {
    status.upstreamOpened();
    upstream.start(
        new ClientCall.Listener<>() {
          @Override
          public void onHeaders(Metadata headers) {
            synchronized (RelayedStream.this) {
              sendHeaders();
            }
          }

          @Override
          public void onMessage(byte[] message) {
            fromUpstream(message);
          }

          @Override
          public void onClose(Status closed, Metadata trailers) {
            upstreamClosed(closed, trailers);
          }
        },
        new Metadata());
    upstream.request(1);
    downstream.request(1);
    return new ServerCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        fromEnvoy(message);
      }

      @Override
      public void onHalfClose() {
        upstream.halfClose();
      }

      @Override
      public void onCancel() {
        upstream.cancel("Envoy closed the stream", null);
        end();
      }
    };
  }

  private void fromUpstream(byte[] message) {
    Wire.Response response =
        Wire.tolerantly(() -> delta ? Wire.deltaResponse(message) : Wire.sotwResponse(message));
    synchronized (this) {
      if (phase == Phase.ENDED) {
        return;
      }
      sendHeaders();
      downstream.sendMessage(message);
      if (response != null) {
        answers.sent(response, cache.isPresent() ? message : null, false);
      }
    }
    upstream.request(1);
  }

  private void fromEnvoy(byte[] message) {
    Wire.Request request =
        Wire.tolerantly(() -> delta ? Wire.deltaRequest(message) : Wire.sotwRequest(message));
    byte[] forwarded = message;
    boolean endedNow = false;
    synchronized (this) {
      if (request != null) {
        if (nodeId == null && request.nodeId().isPresent()) {
          nodeId = request.nodeId().get();
          cache.ifPresent(known -> known.preload(request.nodeId().get()));
        }
        answers.answered(request, nodeId);
        if (!delta && !request.isNack()) {
          subscribed.put(request.typeUrl(), request.resourceNames());
        }
      }
      switch (phase) {
        case FROM_CACHE -> {
          if (request != null && !request.isNack()) {
            serveFromCache(request.typeUrl());
          }
          forwarded = null;
        }
        case UPSTREAM_LOST -> {
          endedNow = failOrServeFromCache(java.util.Objects.requireNonNull(upstreamFailure));
          forwarded = null;
        }
        case ENDED -> forwarded = null;
        case RELAYING -> {
          if (request != null && !request.answers() && relay.envoyFedFromCache()) {
            forwarded = askAfresh(request, message);
          }
        }
      }
    }
    if (endedNow) {
      relay.ended(this);
    }
    if (forwarded != null) {
      upstream.sendMessage(forwarded);
    }
    downstream.request(1);
  }

  /**
   * After Envoy ran on cached configuration, its first request per type carries the cached version;
   * without it the management server sends its whole current state, which then replaces the cached
   * one (a server whose version matched would otherwise send nothing).
   */
  @GuardedBy("this")
  private byte[] askAfresh(Wire.Request request, byte[] message) {
    if (askedAfresh.put(request.typeUrl(), true) != null || request.version().isEmpty()) {
      return message;
    }
    byte[] fresh = Wire.tolerantly(() -> Wire.withoutVersion(message));
    return fresh != null ? fresh : message;
  }

  private void upstreamClosed(Status closed, Metadata trailers) {
    status.upstreamClosed(closed);
    synchronized (this) {
      if (phase != Phase.RELAYING) {
        return;
      }
      // A stream the management server answered and then closed (its connection's age, a restart)
      // goes back to Envoy, which reconnects; one it never answered falls back on the cache.
      if (cache.isPresent() && unreachable(closed) && !headersSent) {
        upstreamFailure = closed;
        phase = Phase.UPSTREAM_LOST;
        if (nodeId == null) {
          return; // Envoy's first request, with its node id, decides
        }
        if (!failOrServeFromCache(closed)) {
          return;
        }
      } else {
        phase = Phase.ENDED;
        downstream.close(closed, trailers);
      }
    }
    relay.ended(this);
  }

  /** Statuses of a management endpoint that cannot be reached, rather than one that refuses. */
  static boolean unreachable(Status status) {
    return status.getCode() == Status.Code.UNAVAILABLE
        || status.getCode() == Status.Code.DEADLINE_EXCEEDED;
  }

  /**
   * The upstream is lost and Envoy's node id known: serve the cache if it has the node, else end
   * Envoy's stream with the failure. While the node's files are still being read, decides once they
   * are, off this thread (the relay's event loop never waits for the disk).
   *
   * @return whether Envoy's stream ended now (the caller tells the relay, outside the lock)
   */
  @GuardedBy("this")
  private boolean failOrServeFromCache(Status failure) {
    if (phase != Phase.UPSTREAM_LOST) {
      return false;
    }
    String node = java.util.Objects.requireNonNull(nodeId);
    LastGoodCache known = cache.orElseThrow();
    if (!known.loading(node).isDone()) {
      var unused =
          known
              .loading(node)
              .whenComplete(
                  (types, error) -> {
                    boolean endedNow;
                    synchronized (RelayedStream.this) {
                      endedNow = failOrServeFromCache(failure);
                    }
                    if (endedNow) {
                      relay.ended(RelayedStream.this);
                    }
                  });
      return false;
    }
    if (known.has(node)) {
      phase = Phase.FROM_CACHE;
      status.servingFromCache(true);
      log.warn(
          "the management endpoint cannot be reached: Envoy gets the last-known-good configuration",
          "node",
          node,
          "cache",
          known.directory(node),
          "status",
          failure.getCode() + " " + failure.getDescription());
      subscribed.keySet().forEach(this::serveFromCache);
      relay.servingFromCache(this);
      return false;
    }
    phase = Phase.ENDED;
    downstream.close(failure, new Metadata());
    return true;
  }

  @GuardedBy("this")
  private void serveFromCache(String typeUrl) {
    List<String> names = subscribed.getOrDefault(typeUrl, List.of());
    if (names.equals(served.get(typeUrl)) || nodeId == null || cache.isEmpty()) {
      return; // this subscription has its answer already, or an ACK of it came
    }
    Optional<ResourceSet> set = cache.get().get(nodeId, typeUrl);
    if (set.isEmpty()) {
      return;
    }
    String nonce = "meshboot-cache-" + ++cacheNonces;
    sendHeaders();
    downstream.sendMessage(set.get().response(nonce, names));
    served.put(typeUrl, names);
    answers.sent(new Wire.Response(typeUrl, set.get().version(), nonce), null, true);
    status.servedFromCache();
  }

  /** The management endpoint is reachable again: Envoy reconnects to a live upstream. */
  void reconnect() {
    endForEnvoy("the management endpoint is reachable again; reconnect for live configuration");
  }

  /** Its upstream connection reached its maximum age: Envoy reconnects onto the new one. */
  void retire() {
    if (endForEnvoy("the management connection reached its maximum age; reconnect")) {
      upstream.cancel("the management connection reached its maximum age", null);
    }
  }

  /** Ends Envoy's stream with UNAVAILABLE, so that Envoy reconnects at once; false if it ended. */
  private boolean endForEnvoy(String why) {
    synchronized (this) {
      if (phase == Phase.ENDED) {
        return false;
      }
      downstream.close(Status.UNAVAILABLE.withDescription("meshboot: " + why), new Metadata());
    }
    end();
    return true;
  }

  /** The stream is over (Envoy cancelled it, or it was ended): the relay forgets it. */
  private void end() {
    synchronized (this) {
      if (phase == Phase.FROM_CACHE) {
        status.servingFromCache(false);
      }
      phase = Phase.ENDED;
    }
    relay.ended(this);
  }

  @GuardedBy("this")
  private void sendHeaders() {
    if (!headersSent) {
      headersSent = true;
      downstream.sendHeaders(new Metadata());
    }
  }
}
