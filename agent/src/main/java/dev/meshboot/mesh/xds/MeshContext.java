package dev.meshboot.mesh.xds;

import dev.meshboot.mesh.Resource;

/**
 * What every node of a mesh is translated with: the definition's index, the mesh, its IP preference
 * and egress filter ({@code ALLOW_ALL}, or App Mesh's default {@code DROP_ALL}).
 */
record MeshContext(MeshIndex index, Resource mesh, IpPreference preference, boolean allowAll) {

  static MeshContext of(MeshIndex index, Resource mesh) {
    boolean allowAll =
        Spec.object(mesh.spec(), "egressFilter")
            .flatMap(filter -> Spec.string(filter, "type"))
            .orElse("DROP_ALL")
            .equals("ALLOW_ALL");
    return new MeshContext(index, mesh, IpPreference.of(mesh), allowAll);
  }

  String name() {
    return mesh.name();
  }
}
