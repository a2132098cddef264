package dev.meshboot.mesh.serve;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.Duration;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.Resource;
import dev.meshboot.mesh.Source;
import dev.meshboot.mesh.Translation;
import dev.meshboot.xds.EnvoyResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A loader and a translator for the serving tests, written here so that serving is tested on its
 * own: each {@code .json} file (hidden ones skipped) is one virtual node as the App Mesh API's
 * create request gives it ({@code meshName}, {@code virtualNodeName}, {@code spec}); each node gets
 * an ingress listener on its first listener's port (127.0.0.1) whose route configuration (over RDS)
 * answers every request with the spec's test-only {@code answer} text, and a static cluster. Real,
 * valid Envoy resources: a real Envoy accepts them.
 */
public final class TestMesh {

  private TestMesh() {}

  /** The loader and translator. */
  public static MeshSource source() {
    return new MeshSource(TestMesh::load, TestTranslation::new);
  }

  /** Writes node {@code name} of mesh {@code mesh} to {@code dir/<name>.json}. */
  public static Path writeNode(Path dir, String mesh, String name, int port, String answer)
      throws IOException {
    return Files.writeString(dir.resolve(name + ".json"), node(mesh, name, port, answer));
  }

  /** The document of a node. */
  public static String node(String mesh, String name, int port, String answer) {
    return "{\"meshName\": \""
        + mesh
        + "\", \"virtualNodeName\": \""
        + name
        + "\", \"spec\": {\"listeners\": [{\"portMapping\": {\"port\": "
        + port
        + ", \"protocol\": \"http\"}}], \"answer\": \""
        + answer
        + "\"}}\n";
  }

  static MeshDefinition load(Path dir) {
    List<Resource> resources = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file :
          files
              .filter(f -> f.toString().endsWith(".json"))
              .filter(f -> !f.getFileName().toString().startsWith("."))
              .sorted()
              .toList()) {
        try {
          JsonObject document = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
          resources.add(
              new Resource(
                  Kind.VIRTUAL_NODE,
                  document.get("meshName").getAsString(),
                  Optional.empty(),
                  document.get("virtualNodeName").getAsString(),
                  document.getAsJsonObject("spec"),
                  new Source(file, 1)));
        } catch (JsonParseException | IllegalStateException | NullPointerException e) {
          errors.add(file + ": not a virtual node document: " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!errors.isEmpty()) {
      throw new MeshException(errors);
    }
    return new MeshDefinition(resources);
  }

  /** Each node is translated from its own resource only: a change affects that node alone. */
  private record TestTranslation(MeshDefinition definition) implements Translation {

    @Override
    public List<NodeKey> nodes() {
      return definition.resources().stream()
          .filter(r -> r.kind() == Kind.VIRTUAL_NODE)
          .map(r -> new NodeKey(r.mesh(), Kind.VIRTUAL_NODE, r.name()))
          .toList();
    }

    @Override
    public Optional<NodeResources> node(NodeKey key) {
      return definition.find(key.kind(), key.mesh(), key.name()).map(TestMesh::translate);
    }

    @Override
    public Set<NodeKey> affectedBy(Kind kind, String mesh, String name) {
      return kind == Kind.VIRTUAL_NODE ? Set.of(new NodeKey(mesh, kind, name)) : Set.of();
    }
  }

  private static NodeResources translate(Resource node) {
    JsonObject spec = node.spec();
    int port =
        spec.getAsJsonArray("listeners")
            .get(0)
            .getAsJsonObject()
            .getAsJsonObject("portMapping")
            .get("port")
            .getAsInt();
    String answer = spec.has("answer") ? spec.get("answer").getAsString() : node.name();
    String route = "rds_ingress_http_" + port;
    Listener listener =
        EnvoyResources.httpListener(
                "lds_ingress_0.0.0.0_15000",
                port,
                EnvoyResources.httpManager()
                    .setRds(
                        Rds.newBuilder()
                            .setRouteConfigName(route)
                            .setConfigSource(
                                ConfigSource.newBuilder()
                                    .setAds(AggregatedConfigSource.getDefaultInstance())
                                    .setResourceApiVersion(ApiVersion.V3)))
                    .build())
            .build();
    String clusterName = "cds_ingress_" + node.mesh() + "_" + node.name() + "_http_" + port;
    Cluster cluster =
        Cluster.newBuilder()
            .setName(clusterName)
            .setType(Cluster.DiscoveryType.STATIC)
            .setConnectTimeout(Duration.newBuilder().setSeconds(1))
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .setClusterName(clusterName)
                    .addEndpoints(
                        LocalityLbEndpoints.newBuilder()
                            .addLbEndpoints(
                                LbEndpoint.newBuilder()
                                    .setEndpoint(
                                        Endpoint.newBuilder()
                                            .setAddress(EnvoyResources.loopback(port))))))
            .build();
    return new NodeResources(
        List.of(listener),
        List.of(cluster),
        List.of(EnvoyResources.answering(route, answer)),
        List.of(),
        List.of());
  }
}
