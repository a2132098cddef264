package dev.meshboot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import dev.meshboot.testing.SharedTransport;
import dev.meshboot.testing.Wait;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Attributes;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** The relay between a client standing in for Envoy and an upstream that verifies SigV4. */
class XdsRelayTest {

  static final String CLUSTER = WireTest.CLUSTER;
  static final String METHOD = Ads.SERVICE + "/StreamAggregatedResources";
  static final AwsCredentialsIdentity ALLOWED =
      AwsSessionCredentialsIdentity.create("AKIDALLOWED", "secret-allowed", "token-allowed");
  static final AwsCredentialsIdentity DENIED =
      AwsCredentialsIdentity.create("AKIDDENIED", "secret-denied");

  private Server upstream;
  private XdsRelay relay;
  private ManagedChannel envoy;
  private MultiThreadIoEventLoopGroup group;
  private final BlockingQueue<DiscoveryRequest> received = new LinkedBlockingQueue<>();
  private final AtomicInteger connections = new AtomicInteger();

  @AfterEach
  void stop() throws Exception {
    if (envoy != null) {
      envoy.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (relay != null) {
      relay.close();
    }
    if (upstream != null) {
      upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  /** Answers every subscription with one response of version v1. */
  private void startUpstream() throws Exception {
    ServerServiceDefinition ads =
        StandInAds.service(
            (call, message) -> {
              DiscoveryRequest request = DiscoveryRequest.parseFrom(message);
              received.add(request);
              if (request.getResponseNonce().isEmpty()) {
                call.sendMessage(response("v1", "n1").toByteArray());
              }
            });
    upstream =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(
                ServerInterceptors.intercept(
                    ads,
                    new SigV4Verifier(
                        "us-west-2",
                        "appmesh",
                        Map.of("AKIDALLOWED", ALLOWED, "AKIDDENIED", DENIED),
                        Set.of("AKIDALLOWED"))))
            .addTransportFilter(
                new ServerTransportFilter() {
                  @Override
                  public Attributes transportReady(Attributes attributes) {
                    connections.incrementAndGet();
                    return attributes;
                  }
                })
            .build()
            .start();
  }

  static DiscoveryResponse response(String version, String nonce) {
    return DiscoveryResponse.newBuilder()
        .setVersionInfo(version)
        .setTypeUrl(CLUSTER)
        .setNonce(nonce)
        .addResources(Any.newBuilder().setTypeUrl(CLUSTER).setValue(ByteString.copyFromUtf8("c")))
        .build();
  }

  private void startRelay(Path socket, Optional<XdsRelay.Signing> signing) throws Exception {
    relay =
        XdsRelay.start(
            SharedTransport.get(),
            socket,
            new XdsRelay.Upstream(
                "127.0.0.1", upstream.getPort(), false, Optional.empty(), signing),
            Optional.empty(),
            Clock.systemUTC());
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    envoy =
        NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socket))
            .channelType(NioDomainSocketChannel.class)
            .eventLoopGroup(group)
            .usePlaintext()
            .build();
  }

  private EnvoyStream open() {
    return EnvoyStream.open(envoy);
  }

  private static XdsRelay.Signing signing(
      String region, String service, AwsCredentialsIdentity id) {
    return new XdsRelay.Signing(region, service, () -> id, () -> Map.of("source", "test"));
  }

  @Test
  void relaysSignedStreamsUnchangedAndTracksAcksAndNacks(@TempDir Path tmp) throws Exception {
    startUpstream();
    Path socket = tmp.resolve("relay.sock");
    startRelay(socket, Optional.of(signing("us-west-2", "appmesh", ALLOWED)));
    assertThat(Files.getPosixFilePermissions(socket))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    EnvoyStream stream = open();
    stream.send(DiscoveryRequest.newBuilder().setTypeUrl(CLUSTER).build());
    DiscoveryResponse first = stream.responses().poll(10, TimeUnit.SECONDS);
    assertThat(first).isEqualTo(response("v1", "n1"));
    assertThat(relay.connected()).isTrue();

    stream.send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(CLUSTER)
            .setVersionInfo("v1")
            .setResponseNonce("n1")
            .build());
    assertThat(received.poll(5, TimeUnit.SECONDS)).isNotNull(); // the subscription
    assertThat(received.poll(5, TimeUnit.SECONDS).getResponseNonce()).isEqualTo("n1");
    assertThat(relay.status().get("acked").toString()).contains(CLUSTER).contains("version=v1");

    stream.send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(CLUSTER)
            .setVersionInfo("v1")
            .setResponseNonce("n1")
            .setErrorDetail(
                com.google.rpc.Status.newBuilder().setCode(3).setMessage("bad cluster c"))
            .build());
    assertThat(received.poll(5, TimeUnit.SECONDS).hasErrorDetail()).isTrue();
    assertThat(relay.status().get("lastNack").toString()).contains("bad cluster c");
  }

  /**
   * As it starts, before Envoy's first stream, the relay connects to the management endpoint and
   * signs once (credentials resolved, signer loaded), so that stream does not wait for them (issue
   * #15); the stream then goes on that same connection, no other.
   */
  @Test
  void connectsAndSignsBeforeEnvoysFirstStream(@TempDir Path tmp) throws Exception {
    startUpstream();
    AtomicInteger resolved = new AtomicInteger();
    startRelay(
        tmp.resolve("relay.sock"),
        Optional.of(
            new XdsRelay.Signing(
                "us-west-2",
                "appmesh",
                () -> {
                  resolved.incrementAndGet();
                  return ALLOWED;
                },
                () -> Map.of("source", "test"))));

    Wait.until(
        "connection to the management endpoint and signature before Envoy's first stream",
        Duration.ofSeconds(10),
        () -> connections.get() == 1 && resolved.get() == 1);
    assertThat(received).isEmpty();
    assertThat(relay.connected()).isFalse();

    EnvoyStream stream = open();
    stream.send(DiscoveryRequest.newBuilder().setTypeUrl(CLUSTER).build());
    assertThat(stream.responses().poll(10, TimeUnit.SECONDS)).isEqualTo(response("v1", "n1"));
    assertThat(connections.get()).isEqualTo(1);
  }

  @Test
  void refusedSignaturesReachEnvoyAsTheirStatusWithTheFix(@TempDir Path tmp) throws Exception {
    startUpstream();
    List<Optional<XdsRelay.Signing>> refused =
        List.of(
            Optional.empty(),
            Optional.of(signing("eu-west-1", "appmesh", ALLOWED)),
            Optional.of(signing("us-west-2", "appmesh-preview", ALLOWED)),
            Optional.of(
                signing(
                    "us-west-2",
                    "appmesh",
                    AwsCredentialsIdentity.create("AKIDALLOWED", "not-the-secret"))));
    int n = 0;
    for (Optional<XdsRelay.Signing> signing : refused) {
      startRelay(tmp.resolve("relay-" + n++ + ".sock"), signing);
      EnvoyStream stream = open();
      stream.send(DiscoveryRequest.newBuilder().setTypeUrl(CLUSTER).build());
      Status status = stream.closed().get(10, TimeUnit.SECONDS);
      assertThat(status.getCode()).as(signing.toString()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(relay.status().get("lastUpstreamFailure").toString())
          .contains("code=16")
          .contains("credentials missing, expired or invalid");
      assertThat(relay.problems())
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .as("a refusal, not an outage")
          .doesNotContain("cannot reach")
          .contains("refused the xDS stream (16 UNAUTHENTICATED: ")
          .contains("credentials missing, expired or invalid");
      relay.close();
      envoy.shutdownNow();
    }
    startRelay(
        tmp.resolve("relay-denied.sock"), Optional.of(signing("us-west-2", "appmesh", DENIED)));
    EnvoyStream stream = open();
    stream.send(DiscoveryRequest.newBuilder().setTypeUrl(CLUSTER).build());
    assertThat(stream.closed().get(10, TimeUnit.SECONDS).getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(relay.status().get("lastUpstreamFailure").toString())
        .contains("code=7")
        .contains("appmesh:StreamAggregatedResources");
    assertThat(relay.problems())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("refused the xDS stream (7 PERMISSION_DENIED: not authorized")
        .contains("lacks IAM permission appmesh:StreamAggregatedResources");
  }

  @Test
  void theVerifierRefusesExpiredAndTamperedSignatures() {
    SigV4Verifier verifier =
        new SigV4Verifier(
            "us-west-2", "appmesh", Map.of("AKIDALLOWED", ALLOWED), Set.of("AKIDALLOWED"));
    String authority = "appmesh-envoy-management.us-west-2.amazonaws.com:443";
    Metadata good =
        new SigV4CallCredentials("us-west-2", "appmesh", () -> ALLOWED, Runnable::run)
            .headers(authority, METHOD);
    assertThat(verifier.check(authority, METHOD, good)).isNull();
    assertThat(good.get(SigV4Verifier.TOKEN)).isEqualTo("token-allowed");

    Metadata expired =
        new SigV4CallCredentials(
                "us-west-2",
                "appmesh",
                () -> ALLOWED,
                Clock.fixed(Instant.now().minus(Duration.ofMinutes(20)), ZoneOffset.UTC),
                Runnable::run)
            .headers(authority, METHOD);
    assertThat(verifier.check(authority, METHOD, expired).getDescription()).contains("expired");

    Metadata tampered = new Metadata();
    tampered.merge(good);
    tampered.removeAll(SigV4Verifier.TOKEN);
    tampered.put(SigV4Verifier.TOKEN, "another-token");
    assertThat(verifier.check(authority, METHOD, tampered).getCode())
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(verifier.check(authority, Ads.SERVICE + "/DeltaAggregatedResources", good).getCode())
        .as("signed for another method")
        .isEqualTo(Status.Code.UNAUTHENTICATED);
  }
}
