package dev.meshboot.mesh;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The virtual node or virtual gateway an Envoy runs as, from its node id: App Mesh's Envoys name it
 * {@code mesh/<mesh>/virtualNode/<name>} (what {@code APPMESH_RESOURCE_ARN} or {@code
 * APPMESH_VIRTUAL_NODE_NAME} make the bootstrap's node id), or by the full ARN, with
 * {@code @<account>} after a shared mesh's name. The control plane serves each Envoy what its key
 * selects.
 *
 * @param mesh the mesh's name (without the owner)
 * @param kind {@link Kind#VIRTUAL_NODE} or {@link Kind#VIRTUAL_GATEWAY}
 * @param name the resource's name
 */
public record NodeKey(String mesh, Kind kind, String name) {

  private static final Pattern ID =
      Pattern.compile(
          "(?:arn:aws[a-z-]*:appmesh:[a-z0-9-]+:\\d{12}:)?"
              + "mesh/([^/@\\s]+)(?:@\\d{12})?/(virtualNode|virtualGateway)/([^/\\s]+)");

  public NodeKey {
    if (kind != Kind.VIRTUAL_NODE && kind != Kind.VIRTUAL_GATEWAY) {
      throw new IllegalArgumentException("an Envoy runs as a virtual node or gateway, not " + kind);
    }
  }

  /** The key a node id names, if it names one. */
  public static Optional<NodeKey> fromNodeId(String nodeId) {
    Matcher id = ID.matcher(nodeId);
    if (!id.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new NodeKey(
            id.group(1),
            id.group(2).equals("virtualNode") ? Kind.VIRTUAL_NODE : Kind.VIRTUAL_GATEWAY,
            id.group(3)));
  }

  /** The short node id: {@code mesh/<mesh>/virtualNode/<name>}. */
  @Override
  public String toString() {
    return "mesh/" + mesh + "/" + kind.wrapper() + "/" + name;
  }
}
