package dev.meshboot.it;

import dev.meshboot.xds.SigV4Verifier;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * A management endpoint as meshboot's relay meets App Mesh's: java-control-plane's ADS on loopback
 * behind TLS (a self-signed certificate for 127.0.0.1, also the relay's CA file) and SigV4 checks
 * ({@link SigV4Verifier}, the agent's test fixture). Each key is accepted until its expiry; the key
 * of every accepted stream and every refusal are kept. It stops and starts again on the same port
 * with the same certificate and snapshot, and can close its connections at a given age, as App Mesh
 * does.
 */
final class SigV4Upstream implements AutoCloseable {

  static final String REGION = "us-west-2";
  static final String KEY_ID = "AKIDMESHBOOTRELAYIT";
  static final String SECRET = "relay-it-secret-access-key-0123456789";
  static final String TOKEN = "relay-it-session-token-abcdefghijklmnop";

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final LoopbackCertificate certificate;
  private final SimpleCache<String> cache = new SimpleCache<>(node -> "mesh");
  private final Map<String, AwsCredentialsIdentity> keys = new ConcurrentHashMap<>();
  private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
  private final Set<String> permitted = ConcurrentHashMap.newKeySet();
  private final List<String> accepted = new CopyOnWriteArrayList<>();
  private final List<Status> refused = new CopyOnWriteArrayList<>();
  private @Nullable Duration connectionAge;
  private @Nullable Server server;
  private int port;

  private SigV4Upstream(LoopbackCertificate certificate, Snapshot snapshot) {
    this.certificate = certificate;
    cache.setSnapshot("mesh", snapshot);
    accept(AwsSessionCredentialsIdentity.create(KEY_ID, SECRET, TOKEN), Instant.MAX);
  }

  /**
   * An upstream (not started) serving {@code snapshot} to every node and accepting {@link #KEY_ID}
   * for good; its certificate and CA file go to {@code dir}.
   */
  static SigV4Upstream create(Path dir, Snapshot snapshot) throws Exception {
    return new SigV4Upstream(LoopbackCertificate.create(dir), snapshot);
  }

  /**
   * Closes each connection at about this age (gRPC's max connection age, 10 % jitter) and its
   * streams 200 ms later, so the relay has to open and sign new ones. Before {@link #start}.
   */
  SigV4Upstream closingConnectionsAt(Duration age) {
    connectionAge = age;
    return this;
  }

  /** Starts on the port it had before, or on a free one. */
  SigV4Upstream start() throws IOException {
    return start(port);
  }

  /** Starts on {@code port} (0: a free one). */
  SigV4Upstream start(int port) throws IOException {
    if (server != null) {
      throw new IllegalStateException("already serving on port " + this.port);
    }
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                TlsServerCredentials.newBuilder()
                    .keyManager(certificate.keys().getKeyManagers())
                    .build())
            .addService(
                ServerInterceptors.intercept(
                    new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl(),
                    recordingAccepted(),
                    new SigV4Verifier(REGION, "appmesh", keys, permitted),
                    refusingExpiredKeys()));
    // The relay pings every 10 s, with or without a stream; gRPC's default (one ping in 5
    // minutes) would close the connection after the third.
    builder.permitKeepAliveTime(5, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true);
    if (connectionAge != null) {
      builder.maxConnectionAge(connectionAge.toMillis(), TimeUnit.MILLISECONDS);
      builder.maxConnectionAgeGrace(200, TimeUnit.MILLISECONDS);
    }
    server = builder.build().start();
    this.port = server.getPort();
    return this;
  }

  /** Stops at once: open streams fail as with a control-plane outage. */
  void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server = null;
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  int port() {
    return port;
  }

  /** What every node gets from now on. */
  void snapshot(Snapshot snapshot) {
    cache.setSnapshot("mesh", snapshot);
  }

  /** The certificate that signs the server's (it signs itself): {@code MESHBOOT_XDS_CA_FILE}. */
  Path caFile() {
    return certificate.caFile();
  }

  /** Accepts streams signed with {@code key} (permitted to stream) until {@code expiry}. */
  void accept(AwsCredentialsIdentity key, Instant expiry) {
    keys.put(key.accessKeyId(), key);
    expiries.put(key.accessKeyId(), expiry);
    permitted.add(key.accessKeyId());
  }

  /** The access key of each stream that passed the checks, in order. */
  List<String> acceptedKeys() {
    return List.copyOf(accepted);
  }

  /** Each stream refused with 16 or 7, in order. */
  List<Status> refusals() {
    return List.copyOf(refused);
  }

  /**
   * The environment of {@code meshboot run} in relay mode against this upstream, without
   * credentials; everything stays on loopback (no instance metadata, STS on a closed port).
   */
  Map<String, String> relayEnv(Path tmp) {
    Map<String, String> env = new HashMap<>();
    env.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:" + port);
    env.put("MESHBOOT_XDS_MODE", "relay");
    env.put("MESHBOOT_XDS_TLS", "true");
    env.put("MESHBOOT_XDS_CA_FILE", caFile().toString());
    env.put("MESHBOOT_XDS_RELAY_SOCKET", tmp.resolve("relay.sock").toString());
    env.put("AWS_REGION", REGION);
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    // GetCallerIdentity for /status must stay on loopback: nothing listens there, so no ARN.
    env.put("MESHBOOT_STS_ENDPOINT", "http://127.0.0.1:1");
    return env;
  }

  /** {@link #relayEnv} with the static key {@link #KEY_ID} as meshboot's credentials. */
  Map<String, String> env(Path tmp) {
    Map<String, String> env = relayEnv(tmp);
    env.put("AWS_ACCESS_KEY_ID", KEY_ID);
    env.put("AWS_SECRET_ACCESS_KEY", SECRET);
    env.put("AWS_SESSION_TOKEN", TOKEN);
    return env;
  }

  private static @Nullable String keyId(Metadata headers) {
    String authorization = headers.get(AUTHORIZATION);
    int start = authorization == null ? -1 : authorization.indexOf("Credential=");
    if (start < 0) {
      return null;
    }
    start += "Credential=".length();
    int end = authorization.indexOf('/', start);
    return end < 0 ? null : authorization.substring(start, end);
  }

  /** Outermost: an expired key is refused as AWS refuses it; every refusal is kept. */
  private ServerInterceptor refusingExpiredKeys() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServerCall<Q, R> recorded =
            new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
              @Override
              public void close(Status status, Metadata trailers) {
                if (status.getCode() == Status.Code.UNAUTHENTICATED
                    || status.getCode() == Status.Code.PERMISSION_DENIED) {
                  refused.add(status);
                }
                super.close(status, trailers);
              }
            };
        String key = keyId(headers);
        Instant expiry = key == null ? null : expiries.get(key);
        if (expiry != null && !Instant.now().isBefore(expiry)) {
          recorded.close(
              Status.UNAUTHENTICATED.withDescription(
                  "The security token included in the request is expired (" + key + ")"),
              new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(recorded, headers);
      }
    };
  }

  /** Innermost: reached only by streams the checks let through. */
  private ServerInterceptor recordingAccepted() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        accepted.add(String.valueOf(keyId(headers)));
        return next.startCall(call, headers);
      }
    };
  }
}
