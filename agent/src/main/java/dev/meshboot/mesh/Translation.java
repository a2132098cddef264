package dev.meshboot.mesh;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A definition translated node by node: the control plane translates every node once, and after a
 * change only the nodes the changed resources can affect (a route changed in a 1,000-node mesh
 * re-translates the few nodes that reach its router, not the mesh). {@code mesh.xds}'s translator
 * is the real one; serving depends on this interface only.
 */
public interface Translation {

  /** The virtual nodes and gateways the definition defines. */
  List<NodeKey> nodes();

  /**
   * {@code key}'s resources, if the definition defines that node.
   *
   * @throws MeshException if the node cannot be translated (naming the resource and JSON path)
   */
  Optional<NodeResources> node(NodeKey key);

  /**
   * The nodes whose resources a change to the resource of {@code kind} named {@code name} in {@code
   * mesh} can change (for a route or gateway route, {@code name} is its router's or gateway's), as
   * this translation's definition has them.
   */
  Set<NodeKey> affectedBy(Kind kind, String mesh, String name);
}
