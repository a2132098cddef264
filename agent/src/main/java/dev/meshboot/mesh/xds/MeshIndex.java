package dev.meshboot.mesh.xds;

import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A definition's resources by kind, mesh and name, built once so that translating a node costs
 * lookups, not scans of the whole definition (a 1,000-node mesh holds ~4,000 resources).
 */
final class MeshIndex {

  private record Key(Kind kind, String mesh, String name) {}

  private final MeshDefinition definition;
  private final Map<Key, Resource> byName = new HashMap<>();
  private final Map<Key, List<Resource>> children = new HashMap<>();
  private final Map<Key, List<Resource>> byKind = new HashMap<>();

  MeshIndex(MeshDefinition definition) {
    this.definition = definition;
    for (Resource resource : definition.resources()) {
      byKind
          .computeIfAbsent(new Key(resource.kind(), resource.mesh(), ""), k -> new ArrayList<>())
          .add(resource);
      if (resource.parent().isPresent()) {
        children
            .computeIfAbsent(
                new Key(resource.kind(), resource.mesh(), resource.parent().get()),
                k -> new ArrayList<>())
            .add(resource);
      } else {
        byName.put(new Key(resource.kind(), resource.mesh(), resource.name()), resource);
      }
    }
  }

  MeshDefinition definition() {
    return definition;
  }

  /** The resource of {@code kind} named {@code name} in {@code mesh} (not a route's). */
  Optional<Resource> find(Kind kind, String mesh, String name) {
    return Optional.ofNullable(byName.get(new Key(kind, mesh, name)));
  }

  /** The routes of a router, or the gateway routes of a gateway, in name order. */
  List<Resource> children(Kind kind, String mesh, String parent) {
    return children.getOrDefault(new Key(kind, mesh, parent), List.of());
  }

  /** The resources of {@code kind} in {@code mesh}, in name order. */
  List<Resource> all(Kind kind, String mesh) {
    return byKind.getOrDefault(new Key(kind, mesh, ""), List.of());
  }

  /** The meshes defined. */
  List<Resource> meshes() {
    return definition.meshes();
  }
}
