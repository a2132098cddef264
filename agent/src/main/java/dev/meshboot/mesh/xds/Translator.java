package dev.meshboot.mesh.xds;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.Resource;
import dev.meshboot.mesh.Translation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Translates an App Mesh definition into the xDS resources App Mesh configured in each Envoy: for
 * every virtual node its ingress and egress listeners, route configurations and clusters, for every
 * virtual gateway its listeners and routes, all with App Mesh's names (see docs/ARCHITECTURE.md,
 * "Translation", for each mapping, its source and where meshboot departs from App Mesh).
 *
 * <p>Pure and deterministic: the same definition gives equal resources, serialized to the same
 * bytes. A translator indexes its definition once; {@link #node} then translates one node without
 * the others, and {@link #affectedBy} says which nodes a change to one resource can change, so a
 * control plane re-translates only those.
 */
public final class Translator implements Translation {

  private final MeshIndex index;
  private final Map<String, MeshContext> meshes = new LinkedHashMap<>();

  @GuardedBy("this")
  private @Nullable Map<String, Set<NodeKey>> readers;

  private Translator(MeshDefinition definition) {
    this.index = new MeshIndex(definition);
    for (Resource mesh : index.meshes()) {
      meshes.put(mesh.name(), MeshContext.of(index, mesh));
    }
  }

  /** A translator of {@code definition}, a valid definition (the loader's output). */
  public static Translator of(MeshDefinition definition) {
    return new Translator(definition);
  }

  /** Every node's resources; a definition some node cannot be translated for is refused whole. */
  public static Map<NodeKey, NodeResources> translate(MeshDefinition definition) {
    return of(definition).all();
  }

  /** {@code key}'s resources, if the definition has that virtual node or gateway. */
  public static Optional<NodeResources> translate(MeshDefinition definition, NodeKey key) {
    return of(definition).node(key);
  }

  /** The virtual nodes and gateways of the definition, mesh by mesh, in name order. */
  @Override
  public List<NodeKey> nodes() {
    List<NodeKey> keys = new ArrayList<>();
    for (String mesh : meshes.keySet()) {
      for (Kind kind : List.of(Kind.VIRTUAL_NODE, Kind.VIRTUAL_GATEWAY)) {
        for (Resource resource : index.all(kind, mesh)) {
          keys.add(new NodeKey(mesh, kind, resource.name()));
        }
      }
    }
    return keys;
  }

  /**
   * Every node's resources, in {@link #nodes()} order.
   *
   * @throws MeshException with every node's errors, if any node cannot be translated
   */
  public Map<NodeKey, NodeResources> all() {
    Map<NodeKey, NodeResources> out = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (NodeKey key : nodes()) {
      try {
        out.put(key, node(key).orElseThrow());
      } catch (MeshException e) {
        errors.addAll(e.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new MeshException(errors);
    }
    return out;
  }

  /**
   * {@code key}'s resources, if the definition has that virtual node or gateway.
   *
   * @throws MeshException if the node cannot be translated (naming the resource and JSON path)
   */
  @Override
  public Optional<NodeResources> node(NodeKey key) {
    MeshContext mesh = meshes.get(key.mesh());
    if (mesh == null) {
      return Optional.empty();
    }
    Optional<Resource> resource = index.find(key.kind(), key.mesh(), key.name());
    if (resource.isEmpty()) {
      return Optional.empty();
    }
    NodeOutput out = new NodeOutput();
    if (key.kind() == Kind.VIRTUAL_GATEWAY) {
      Gateway.build(mesh, resource.get(), out);
    } else {
      Ingress.build(mesh, resource.get(), out);
      Egress.build(mesh, resource.get(), out);
    }
    return Optional.of(out.resources());
  }

  /**
   * The nodes whose resources a change to the resource of {@code kind} named {@code name} in {@code
   * mesh} can change (for a route or gateway route, {@code name} is its router's or gateway's
   * name): a node or gateway itself, and every node or gateway that reaches a virtual service,
   * router or virtual node through its backends or gateway routes; for a mesh, all of its nodes. As
   * this translator's definition has them: ask the old and the new definition's translators when a
   * change adds or removes references.
   */
  @Override
  public Set<NodeKey> affectedBy(Kind kind, String mesh, String name) {
    Set<NodeKey> affected = new LinkedHashSet<>();
    switch (kind) {
      case MESH -> {
        for (NodeKey key : nodes()) {
          if (key.mesh().equals(name)) {
            affected.add(key);
          }
        }
      }
      case VIRTUAL_GATEWAY, GATEWAY_ROUTE -> {
        if (index.find(Kind.VIRTUAL_GATEWAY, mesh, name).isPresent()) {
          affected.add(new NodeKey(mesh, Kind.VIRTUAL_GATEWAY, name));
        }
      }
      default -> {
        if (kind == Kind.VIRTUAL_NODE && index.find(Kind.VIRTUAL_NODE, mesh, name).isPresent()) {
          affected.add(new NodeKey(mesh, Kind.VIRTUAL_NODE, name));
        }
        Kind read = kind == Kind.ROUTE ? Kind.VIRTUAL_ROUTER : kind;
        affected.addAll(readers().getOrDefault(Reads.key(read, mesh, name), Set.of()));
      }
    }
    return affected;
  }

  private synchronized Map<String, Set<NodeKey>> readers() {
    Map<String, Set<NodeKey>> built = readers;
    if (built == null) {
      built = Reads.readers(index, nodes());
      readers = built;
    }
    return built;
  }
}
