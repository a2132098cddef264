package dev.meshboot.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * A management server for benchmarks of the relay with a real Envoy: state-of-the-world ADS behind
 * TLS (a PKCS12 key store, password {@code changeit}) and SigV4 verification, serving one cluster
 * and one listener on {@code listenerPort}, and a new version of both every {@code everySeconds}.
 *
 * <p>Usage: {@code BenchUpstream <port> <keystore.p12> <listenerPort> <everySeconds> <keyId>
 * <secret>}; prints {@code listening} when ready.
 */
public final class BenchUpstream {

  private static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  private static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";

  private final int listenerPort;
  private final AtomicInteger version = new AtomicInteger(1);
  private final AtomicInteger nonces = new AtomicInteger();
  private final Map<ServerCall<byte[], byte[]>, Set<String>> streams = new ConcurrentHashMap<>();

  private BenchUpstream(int listenerPort) {
    this.listenerPort = listenerPort;
  }

  public static void main(String[] args) throws Exception {
    BenchUpstream upstream = new BenchUpstream(Integer.parseInt(args[2]));
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(args[1])) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, "changeit".toCharArray());
    AwsCredentialsIdentity identity = AwsCredentialsIdentity.create(args[4], args[5]);
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])),
                TlsServerCredentials.newBuilder().keyManager(keys.getKeyManagers()).build())
            .addService(
                ServerInterceptors.intercept(
                    upstream.service(),
                    new SigV4Verifier(
                        "us-west-2", "appmesh", Map.of(args[4], identity), Set.of(args[4]))))
            .build()
            .start();
    int every = Integer.parseInt(args[3]);
    var pushes =
        Executors.newSingleThreadScheduledExecutor()
            .scheduleAtFixedRate(upstream::bump, every, every, TimeUnit.SECONDS);
    System.out.println("listening");
    server.awaitTermination();
    pushes.cancel(false);
  }

  private ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(Ads.SERVICE)
        .addMethod(
            Ads.SOTW,
            (ServerCall<byte[], byte[]> call, Metadata headers) -> {
              call.sendHeaders(new Metadata());
              call.request(1);
              streams.put(call, ConcurrentHashMap.newKeySet());
              return new ServerCall.Listener<>() {
                @Override
                public void onMessage(byte[] message) {
                  try {
                    DiscoveryRequest request = DiscoveryRequest.parseFrom(message);
                    if (!request.getVersionInfo().equals(Integer.toString(version.get()))) {
                      streams.get(call).add(request.getTypeUrl());
                      send(call, request.getTypeUrl());
                    }
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  call.request(1);
                }

                @Override
                public void onCancel() {
                  streams.remove(call);
                }

                @Override
                public void onComplete() {
                  streams.remove(call);
                }
              };
            })
        .build();
  }

  private void bump() {
    version.incrementAndGet();
    streams.forEach((call, types) -> types.forEach(type -> send(call, type)));
  }

  private synchronized void send(ServerCall<byte[], byte[]> call, String type) {
    List<? extends Message> resources =
        switch (type) {
          case CLUSTER -> List.of(cluster());
          case LISTENER -> List.of(listener());
          default -> List.of();
        };
    DiscoveryResponse.Builder response =
        DiscoveryResponse.newBuilder()
            .setTypeUrl(type)
            .setVersionInfo(Integer.toString(version.get()))
            .setNonce("n" + nonces.incrementAndGet());
    resources.forEach(resource -> response.addResources(Any.pack(resource)));
    call.sendMessage(response.build().toByteArray());
  }

  private Cluster cluster() {
    return EnvoyResources.staticCluster("echo", 1 + version.get() % 5);
  }

  private Listener listener() {
    return EnvoyResources.httpListener(
            "ingress",
            listenerPort,
            EnvoyResources.httpManager()
                .setRouteConfig(EnvoyResources.answering("local", "version " + version.get()))
                .build())
        .build();
  }
}
