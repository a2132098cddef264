package dev.meshboot.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.meshboot.bootstrap.InvalidBootstrapException;
import dev.meshboot.mesh.NodeKey;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The embedded control plane the bootstrap Envoy runs asks for: its ADS cluster ({@code
 * meshboot_xds}) carries {@code filter_metadata["meshboot.mesh"].definition} (rendered with {@code
 * MESHBOOT_MESH}), so {@code meshboot run} serves that definition on the cluster's unix socket, to
 * the node the bootstrap's node id names. The written bootstrap decides, as for the relay ({@link
 * RelayTarget}): a bootstrap rendered with {@code MESHBOOT_MESH} and run later as {@code
 * ENVOY_CONFIG_FILE} gets its control plane whatever the run's environment.
 *
 * @param socket where Envoy's ADS connects (the cluster's pipe)
 * @param definition the directory (or file) of App Mesh resource definitions
 * @param node the virtual node or gateway this Envoy runs as
 */
record MeshTarget(Path socket, Path definition, NodeKey node) {

  static final String CLUSTER = "meshboot_xds";

  /**
   * The embedded control plane the bootstrap asks for; empty when its xDS cluster has no {@code
   * meshboot.mesh} metadata.
   *
   * @throws InvalidBootstrapException when the metadata is there but the socket or node id is not
   */
  static Optional<MeshTarget> of(JsonObject bootstrap, Path file) {
    JsonObject cluster = cluster(bootstrap);
    JsonObject metadata =
        RelayTarget.object(
            RelayTarget.object(RelayTarget.object(cluster, "metadata"), "filter_metadata"),
            "meshboot.mesh");
    String definition = text(RelayTarget.field(metadata, "definition"));
    if (definition == null) {
      return Optional.empty();
    }
    String socket = text(RelayTarget.field(pipe(cluster), "path"));
    String id = text(RelayTarget.field(RelayTarget.object(bootstrap, "node"), "id"));
    Optional<NodeKey> node = id == null ? Optional.empty() : NodeKey.fromNodeId(id);
    if (socket == null || node.isEmpty()) {
      throw new InvalidBootstrapException(
          "the bootstrap "
              + file
              + " asks meshboot to serve the mesh definition "
              + definition
              + " (meshboot.mesh metadata of the cluster "
              + CLUSTER
              + "), but "
              + (socket == null
                  ? "that cluster has no unix socket"
                  : "its node id " + id + " names no virtual node or gateway"));
    }
    return Optional.of(new MeshTarget(Path.of(socket), Path.of(definition), node.get()));
  }

  private static @Nullable JsonObject cluster(JsonObject bootstrap) {
    JsonElement clusters =
        RelayTarget.field(RelayTarget.object(bootstrap, "static_resources"), "clusters");
    if (clusters != null && clusters.isJsonArray()) {
      for (JsonElement cluster : clusters.getAsJsonArray()) {
        if (cluster.isJsonObject()
            && CLUSTER.equals(text(RelayTarget.field(cluster.getAsJsonObject(), "name")))) {
          return cluster.getAsJsonObject();
        }
      }
    }
    return null;
  }

  /** {@code load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.pipe}. */
  private static @Nullable JsonObject pipe(@Nullable JsonObject cluster) {
    JsonObject assignment = RelayTarget.object(cluster, "load_assignment");
    JsonObject locality = first(RelayTarget.field(assignment, "endpoints"));
    JsonObject endpoint =
        RelayTarget.object(first(RelayTarget.field(locality, "lb_endpoints")), "endpoint");
    return RelayTarget.object(RelayTarget.object(endpoint, "address"), "pipe");
  }

  private static @Nullable JsonObject first(@Nullable JsonElement array) {
    if (array != null && array.isJsonArray() && !array.getAsJsonArray().isEmpty()) {
      JsonElement first = array.getAsJsonArray().get(0);
      return first.isJsonObject() ? first.getAsJsonObject() : null;
    }
    return null;
  }

  private static @Nullable String text(@Nullable JsonElement value) {
    return value != null && value.isJsonPrimitive() ? value.getAsString() : null;
  }
}
