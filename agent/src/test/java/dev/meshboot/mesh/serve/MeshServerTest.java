package dev.meshboot.mesh.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.meshboot.io.SocketEndpoint;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.testing.SharedTransport;
import dev.meshboot.testing.TestPki;
import dev.meshboot.testing.Wait;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshServerTest {

  static final String A = "mesh/shop/virtualNode/cart";
  static final String A_ARN = "arn:aws:appmesh:us-west-2:111122223333:mesh/shop/virtualNode/cart";
  static final String B = "mesh/shop/virtualNode/payments";

  @TempDir Path tmp;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private Path definition() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mesh"));
    TestMesh.writeNode(dir, "shop", "cart", 18081, "cart v1");
    TestMesh.writeNode(dir, "shop", "payments", 18082, "payments v1");
    return dir;
  }

  private MeshServer serve(Path dir) throws Exception {
    MeshServer server =
        MeshServer.start(
            new MeshServer.Options(
                dir,
                new SocketEndpoint.Unix(tmp.resolve("xds.sock")),
                Optional.empty(),
                Optional.of(new SocketEndpoint.Tcp("127.0.0.1", 0))),
            TestMesh.source(),
            SharedTransport.get());
    closing.add(server);
    return server;
  }

  private ManagedChannel channel(MeshServer server) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(
                UnixDomainSocketAddress.of(((SocketEndpoint.Unix) server.endpoint()).path()))
            .channelType(NioDomainSocketChannel.class)
            .eventLoopGroup(SharedTransport.get().group())
            .usePlaintext()
            .build();
    closing.add(() -> channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS));
    return channel;
  }

  private AdsClient connect(ManagedChannel channel, String node) {
    AdsClient client = AdsClient.sotw(channel, node);
    closing.add(client);
    return client;
  }

  /** Clusters, listeners and the listeners' route configurations. */
  private static List<AdsClient.Received> initial(AdsClient client) throws Exception {
    List<AdsClient.Received> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      all.add(client.next());
    }
    return all;
  }

  private JsonObject status(MeshServer server) throws Exception {
    return JsonParser.parseString(get(server, "/status").body()).getAsJsonObject();
  }

  private HttpResponse<String> get(MeshServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://" + server.adminEndpoint().orElseThrow() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesEachNodeItsOwnConfigurationWhateverFormItsIdTakes() throws Exception {
    MeshServer server = serve(definition());
    ManagedChannel channel = channel(server);

    List<AdsClient.Received> cart = initial(connect(channel, A));
    List<AdsClient.Received> cartByArn = initial(connect(channel, A_ARN));
    List<AdsClient.Received> payments = initial(connect(channel, B));

    assertThat(cart)
        .anySatisfy(r -> assertThat(r.names()).containsExactly("cds_ingress_shop_cart_http_18081"))
        .anySatisfy(r -> assertThat(r.names()).containsExactly("rds_ingress_http_18081"));
    assertThat(payments)
        .anySatisfy(
            r -> assertThat(r.names()).containsExactly("cds_ingress_shop_payments_http_18082"));
    assertThat(cartByArn.stream().map(AdsClient.Received::version).sorted().toList())
        .isEqualTo(cart.stream().map(AdsClient.Received::version).sorted().toList());
    JsonObject nodes = status(server).getAsJsonObject("nodes");
    assertThat(nodes.getAsJsonObject(A).get("streams").getAsInt()).isEqualTo(2);
    assertThat(nodes.getAsJsonObject(B).get("streams").getAsInt()).isEqualTo(1);
    Wait.until(
        "every response acknowledged",
        Duration.ofSeconds(5),
        () ->
            status(server).getAsJsonObject("nodes").getAsJsonObject(A).get("acks").getAsInt() == 6);
    assertThat(status(server).getAsJsonObject("nodes").getAsJsonObject(A).get("pending").getAsInt())
        .isZero();
  }

  @Test
  void aChangeReachesTheNodeThatChangedAndOnlyThePartThatChanged() throws Exception {
    Path dir = definition();
    MeshServer server = serve(dir);
    ManagedChannel channel = channel(server);
    AdsClient cart = connect(channel, A);
    AdsClient payments = connect(channel, B);
    initial(cart);
    initial(payments);

    long start = System.nanoTime();
    TestMesh.writeNode(dir, "shop", "cart", 18081, "cart v2");

    AdsClient.Received update = cart.next();
    assertThat(Duration.ofNanos(update.atNanos() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(update.type()).isEqualTo(AdsClient.ROUTES);
    assertThat(cart.poll(500)).as("clusters and listeners did not change").isNull();
    assertThat(payments.poll(300)).as("payments did not change").isNull();
  }

  @Test
  void anInvalidChangeIsRefusedAndThePreviousDefinitionServed() throws Exception {
    Path dir = definition();
    MeshServer server = serve(dir);
    AdsClient cart = connect(channel(server), A);
    initial(cart);
    String version = status(server).get("version").getAsString();

    Files.writeString(dir.resolve("broken.json"), "{\"meshName\": ");
    Wait.until(
        "the change refused", Duration.ofSeconds(3), () -> status(server).has("lastRefusedChange"));

    JsonObject status = status(server);
    assertThat(status.get("version").getAsString()).isEqualTo(version);
    assertThat(status.getAsJsonObject("lastRefusedChange").getAsJsonArray("errors").toString())
        .contains("broken.json");
    assertThat(get(server, "/ready").statusCode()).isEqualTo(200);
    assertThat(cart.poll(300)).isNull();
    assertThat(get(server, "/stats/prometheus").body())
        .contains("meshboot_mesh_reloads_total{result=\"refused\"} 1");

    Files.delete(dir.resolve("broken.json"));
    TestMesh.writeNode(dir, "shop", "cart", 18081, "cart v3");
    assertThat(cart.next().type()).isEqualTo(AdsClient.ROUTES);
  }

  @Test
  void envoysOfNodesTheDefinitionDoesNotDefineAreRefused() throws Exception {
    MeshServer server = serve(definition());
    ManagedChannel channel = channel(server);

    AdsClient unknown = connect(channel, "mesh/shop/virtualNode/ghost");
    AdsClient malformed = connect(channel, "cart");

    Status notFound = unknown.closed().get(5, TimeUnit.SECONDS);
    assertThat(notFound.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(notFound.getDescription())
        .contains("defines no virtualNode ghost in mesh shop")
        .contains(tmp.resolve("mesh").toString());
    Status invalid = malformed.closed().get(5, TimeUnit.SECONDS);
    assertThat(invalid.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(invalid.getDescription()).contains("\"cart\"").contains("mesh/<mesh>/virtualNode");
    assertThat(status(server).getAsJsonObject("refusedStreams").toString())
        .contains("\"NOT_FOUND\":1")
        .contains("\"INVALID_ARGUMENT\":1");
  }

  @Test
  void aNodeAddedLaterIsServedToItsEnvoysOnceDefined() throws Exception {
    Path dir = definition();
    MeshServer server = serve(dir);
    TestMesh.writeNode(dir, "shop", "ghost", 18083, "ghost v1");
    Wait.until("the node defined", Duration.ofSeconds(3), () -> server.nodes().size() == 3);

    assertThat(initial(connect(channel(server), "mesh/shop/virtualNode/ghost")))
        .anySatisfy(r -> assertThat(r.names()).containsExactly("rds_ingress_http_18083"));
  }

  @Test
  void deltaStreamsAreServedAndAcknowledged() throws Exception {
    Path dir = definition();
    MeshServer server = serve(dir);
    AdsClient cart = AdsClient.delta(channel(server), A);
    closing.add(cart);

    List<String> names = new ArrayList<>(cart.next().names());
    names.addAll(cart.next().names());
    assertThat(names)
        .containsExactlyInAnyOrder("cds_ingress_shop_cart_http_18081", "lds_ingress_0.0.0.0_15000");
    Wait.until(
        "two ACKs",
        Duration.ofSeconds(3),
        () ->
            status(server).getAsJsonObject("nodes").getAsJsonObject(A).get("acks").getAsInt() == 2);

    TestMesh.writeNode(dir, "shop", "cart", 18085, "cart moved");
    List<String> changed = new ArrayList<>(cart.next().names());
    changed.addAll(cart.next().names());
    assertThat(changed)
        .containsExactlyInAnyOrder("cds_ingress_shop_cart_http_18085", "lds_ingress_0.0.0.0_15000");
  }

  @Test
  void nacksAreCountedWithEnvoysError() throws Exception {
    MeshServer server = serve(definition());
    AdsClient cart = AdsClient.sotw(channel(server), A, r -> r.type().equals(AdsClient.LISTENERS));
    closing.add(cart);
    cart.next();
    cart.next();

    Wait.until(
        "a NACK",
        Duration.ofSeconds(3),
        () -> status(server).getAsJsonObject("nodes").getAsJsonObject(A).has("lastNack"));
    JsonObject node = status(server).getAsJsonObject("nodes").getAsJsonObject(A);
    assertThat(node.get("nacks").getAsInt()).isEqualTo(1);
    assertThat(node.getAsJsonObject("lastNack").get("error").getAsString())
        .startsWith("test client rejects version");
    assertThat(get(server, "/stats/prometheus").body())
        .contains("meshboot_mesh_nacks_total{node=\"" + A + "\"} 1")
        .contains("meshboot_mesh_streams{node=\"" + A + "\"} 1")
        .contains("meshboot_mesh_connected_nodes 1");
  }

  @Test
  void anInvalidDefinitionDoesNotStart() throws Exception {
    Path dir = definition();
    Files.writeString(dir.resolve("broken.json"), "[]");

    assertThatThrownBy(() -> serve(dir))
        .isInstanceOf(MeshException.class)
        .hasMessageContaining("broken.json");
    assertThat(tmp.resolve("xds.sock")).doesNotExist();
  }

  @Test
  void healthAndReadiness() throws Exception {
    MeshServer server = serve(definition());

    assertThat(get(server, "/live").statusCode()).isEqualTo(200);
    assertThat(get(server, "/ready").statusCode()).isEqualTo(200);
    assertThat(get(server, "/nothing").statusCode()).isEqualTo(404);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://" + server.adminEndpoint().orElseThrow() + "/ready"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(405);
    assertThat(Files.getPosixFilePermissions(tmp.resolve("xds.sock")))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void aClientCertificateReceivesOnlyTheConfigurationOfTheNodeItNames() throws Exception {
    TestPki pki = TestPki.create(tmp.resolve("pki"), "ca");
    TestPki.Issued serverCert = pki.issue("server", "ip:127.0.0.1");
    TestPki.Issued cartCert = pki.issue("cart", "uri:spiffe://shop.test/" + A);
    MeshServer server =
        MeshServer.start(
            new MeshServer.Options(
                definition(),
                new SocketEndpoint.Tcp("127.0.0.1", 0),
                Optional.of(
                    new Tls(serverCert.certificate(), serverCert.key(), Optional.of(pki.caFile()))),
                Optional.of(new SocketEndpoint.Tcp("127.0.0.1", 0))),
            TestMesh.source(),
            SharedTransport.get());
    closing.add(server);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", ((SocketEndpoint.Tcp) server.endpoint()).port())
            .eventLoopGroup(SharedTransport.get().group())
            .channelType(io.netty.channel.socket.nio.NioSocketChannel.class)
            .sslContext(
                GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                    .trustManager(pki.caFile().toFile())
                    .keyManager(cartCert.certificate().toFile(), cartCert.key().toFile())
                    .build())
            .build();
    closing.add(() -> channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS));

    assertThat(initial(connect(channel, A_ARN)))
        .anySatisfy(r -> assertThat(r.names()).containsExactly("rds_ingress_http_18081"));
    Status refused = connect(channel, B).closed().get(5, TimeUnit.SECONDS);
    assertThat(refused.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(refused.getDescription())
        .contains("spiffe://shop.test/" + A)
        .contains("does not name node " + B);
  }
}
