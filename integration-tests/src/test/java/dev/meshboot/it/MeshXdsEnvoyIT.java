package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.xds.MeshFixtures;
import dev.meshboot.mesh.xds.Translator;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture mesh's golden xDS (the translation {@code GoldenXdsTest} checks against the golden
 * files) is accepted by the real Envoy: each node's resources are served to an Envoy of its own (in
 * a network namespace of its own, so 15000, 15001 and the gateways' ports are free), which sends no
 * NACK, rejects no update and goes LIVE with every listener and cluster active. File certificates
 * are made for the test ({@code @CERTS@} in the fixtures); SDS secrets come from the same server as
 * the rest.
 */
class MeshXdsEnvoyIT {

  static final Path FIXTURES =
      Path.of(System.getProperty("meshboot.goldens")).getParent().resolve("mesh-xds");

  static Stream<String> meshes() {
    List<String> meshes = MeshFixtures.meshes(FIXTURES);
    assertThat(meshes).hasSizeGreaterThanOrEqualTo(3);
    return meshes.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("meshes")
  void envoyAcceptsEveryNodesResources(String mesh, @TempDir Path tmp) throws Exception {
    Path certs = tmp.resolve("certs");
    MeshPki pki = MeshPki.create(certs, "mesh-ca");
    MeshPki.Issued server = pki.issue("server", "dns:api.tls.local", "dns:legacy.tls.local");
    pki.issue("client", "dns:client.tls.local");
    pki.issue("gateway", "dns:gateway.tls.local");
    MeshDefinition definition =
        MeshFixtures.load(FIXTURES.resolve(mesh), Map.of("CERTS", certs.toString()));
    Map<NodeKey, NodeResources> nodes = Translator.translate(definition);
    assertThat(nodes).isNotEmpty();
    try (MeshXdsServer xds = MeshXdsServer.start(tmp.resolve("xds.sock"))) {
      for (Map.Entry<NodeKey, NodeResources> node : nodes.entrySet()) {
        String id = node.getKey().toString();
        NodeResources resources = node.getValue();
        xds.serve(id, resources, secrets(resources, server, pki.caFile()));
        try (Netns netns = Netns.create()) {
          MeshEnvoy envoy = MeshEnvoy.start(tmp.resolve(node.getKey().name()), netns, id, xds, 0);
          envoy.awaitLive();
          assertThat(xds.nacks(id)).as("NACKs of %s\n%s", id, envoy.log()).isEmpty();
          assertThat(envoy.stats(".*update_rejected"))
              .as("rejected updates of %s", id)
              .allSatisfy((name, value) -> assertThat(value).as(name).isZero());
          assertThat(envoy.stat("listener_manager.total_listeners_active"))
              .as("active listeners of %s\n%s", id, envoy.log())
              .isEqualTo(resources.listeners().size());
          assertThat(envoy.stat("cluster_manager.active_clusters"))
              .as("active clusters of %s (2 static)", id)
              .isEqualTo(resources.clusters().size() + 2);
          assertThat(envoy.stats("http\\..*\\.rds\\..*\\.config_reload").size())
              .as("route configurations loaded by %s", id)
              .isEqualTo(resources.routes().size());
          envoy.stop();
        }
      }
    }
  }

  /**
   * An SDS secret for every name the resources ask for: certificates as {@code server}, trust as
   * the CA.
   */
  static List<Secret> secrets(NodeResources resources, MeshPki.Issued server, Path ca)
      throws InvalidProtocolBufferException {
    List<CommonTlsContext> contexts = new ArrayList<>();
    for (Cluster cluster : resources.clusters()) {
      if (cluster.hasTransportSocket()) {
        contexts.add(
            unpack(cluster.getTransportSocket(), UpstreamTlsContext.class).getCommonTlsContext());
      }
    }
    for (Listener listener : resources.listeners()) {
      for (FilterChain chain : listener.getFilterChainsList()) {
        if (chain.hasTransportSocket()) {
          contexts.add(
              unpack(chain.getTransportSocket(), DownstreamTlsContext.class).getCommonTlsContext());
        }
      }
    }
    Map<String, Secret> secrets = new TreeMap<>();
    for (CommonTlsContext context : contexts) {
      for (SdsSecretConfig certificate : context.getTlsCertificateSdsSecretConfigsList()) {
        secrets.put(
            certificate.getName(),
            Secret.newBuilder()
                .setName(certificate.getName())
                .setTlsCertificate(
                    TlsCertificate.newBuilder()
                        .setCertificateChain(file(server.certificate()))
                        .setPrivateKey(file(server.key())))
                .build());
      }
      List<SdsSecretConfig> trust = new ArrayList<>();
      if (context.hasValidationContextSdsSecretConfig()) {
        trust.add(context.getValidationContextSdsSecretConfig());
      }
      if (context.hasCombinedValidationContext()) {
        trust.add(context.getCombinedValidationContext().getValidationContextSdsSecretConfig());
      }
      for (SdsSecretConfig config : trust) {
        secrets.put(
            config.getName(),
            Secret.newBuilder()
                .setName(config.getName())
                .setValidationContext(
                    CertificateValidationContext.newBuilder().setTrustedCa(file(ca)))
                .build());
      }
    }
    return List.copyOf(secrets.values());
  }

  private static <T extends com.google.protobuf.Message> T unpack(
      TransportSocket socket, Class<T> type) throws InvalidProtocolBufferException {
    return socket.getTypedConfig().unpack(type);
  }

  private static DataSource file(Path path) {
    return DataSource.newBuilder().setFilename(path.toString()).build();
  }
}
