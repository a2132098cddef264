package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.xds.MeshFixtures;
import dev.meshboot.mesh.xds.Translator;
import dev.meshboot.testing.TestPki;
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
 * Every fixture mesh (the definitions whose translation {@code GoldenXdsTest} checks against the
 * golden files), loaded by the real loader, is accepted by the real Envoy: each node's resources
 * are served to an Envoy of its own (in a network namespace of its own, so 15000, 15001 and the
 * gateways' ports are free; all of a mesh's Envoys at once), which sends no NACK, rejects no update
 * and goes LIVE with every listener and cluster active. File certificates come from the shared test
 * CA ({@code @CERTS@} in the fixtures); SDS secrets come from the same server as the rest.
 */
class MeshXdsEnvoyIT {

  static Stream<String> meshes() {
    List<String> meshes = MeshFixtures.meshes(MeshFixtureFiles.ROOT);
    assertThat(meshes).hasSizeGreaterThanOrEqualTo(4);
    return meshes.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("meshes")
  void envoyAcceptsEveryNodesResources(String mesh, @TempDir Path tmp) throws Exception {
    TestPki pki = MeshFixtureFiles.pki();
    TestPki.Issued server = pki.issued("server");
    Map<NodeKey, NodeResources> nodes =
        Translator.translate(
            MeshFixtureFiles.load(
                mesh, tmp.resolve("definition"), t -> t.replace("@CERTS@", pki.dir().toString())));
    assertThat(nodes).isNotEmpty();
    List<Netns> namespaces = new ArrayList<>();
    try (MeshXdsServer xds = MeshXdsServer.start(tmp.resolve("xds.sock"))) {
      Map<String, MeshEnvoy> envoys = new TreeMap<>();
      for (Map.Entry<NodeKey, NodeResources> node : nodes.entrySet()) {
        String id = node.getKey().toString();
        xds.serve(id, node.getValue(), secrets(node.getValue(), server, pki.caFile()));
        Netns netns = Netns.create();
        namespaces.add(netns);
        envoys.put(id, MeshEnvoy.start(tmp.resolve(node.getKey().name()), netns, id, xds, 0));
      }
      for (Map.Entry<NodeKey, NodeResources> node : nodes.entrySet()) {
        String id = node.getKey().toString();
        NodeResources resources = node.getValue();
        MeshEnvoy envoy = envoys.get(id);
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
      }
      for (MeshEnvoy envoy : envoys.values()) {
        envoy.stop();
      }
    } finally {
      for (Netns netns : namespaces) {
        netns.close();
      }
    }
  }

  /**
   * An SDS secret for every name the resources ask for: certificates as {@code server}, trust as
   * the CA.
   */
  static List<Secret> secrets(NodeResources resources, TestPki.Issued server, Path ca)
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
