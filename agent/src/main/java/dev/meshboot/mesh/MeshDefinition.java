package dev.meshboot.mesh;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A whole, valid mesh definition: every resource of every mesh a directory defines. The list is
 * unmodifiable and the specs are the loader's JSON trees, which nothing changes once loaded (Gson's
 * trees cannot be made read-only; copying every spec would double the memory of a large mesh);
 * resources in a stable order (kind, mesh, parent, name), so that what is made of it does not
 * depend on the order files were listed in.
 */
public record MeshDefinition(List<Resource> resources) {

  private static final Comparator<Resource> ORDER =
      Comparator.comparing(Resource::kind)
          .thenComparing(Resource::mesh)
          .thenComparing(r -> r.parent().orElse(""))
          .thenComparing(Resource::name);

  public MeshDefinition {
    resources = resources.stream().sorted(ORDER).toList();
  }

  /** The resources of {@code kind} in {@code mesh}. */
  public List<Resource> all(Kind kind, String mesh) {
    return resources.stream().filter(r -> r.kind() == kind && r.mesh().equals(mesh)).toList();
  }

  /** The meshes defined. */
  public List<Resource> meshes() {
    return resources.stream().filter(r -> r.kind() == Kind.MESH).toList();
  }

  /** The resource of {@code kind} named {@code name} in {@code mesh} (not a route's). */
  public Optional<Resource> find(Kind kind, String mesh, String name) {
    return resources.stream()
        .filter(r -> r.kind() == kind && r.mesh().equals(mesh) && r.name().equals(name))
        .findFirst();
  }

  /** The routes of router {@code router}, or gateway routes of gateway, in {@code mesh}. */
  public List<Resource> children(Kind kind, String mesh, String parent) {
    return resources.stream()
        .filter(
            r ->
                r.kind() == kind
                    && r.mesh().equals(mesh)
                    && r.parent().map(parent::equals).orElse(false))
        .toList();
  }
}
