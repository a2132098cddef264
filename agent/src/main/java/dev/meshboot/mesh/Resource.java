package dev.meshboot.mesh;

import com.google.gson.JsonObject;
import java.util.Optional;

/**
 * One App Mesh resource of a definition, as the API's create request gives it.
 *
 * @param kind what it is
 * @param mesh the mesh it belongs to ({@code meshName}; the mesh's own name for a mesh)
 * @param parent the router of a route, the gateway of a gateway route
 * @param name its name
 * @param spec its spec, checked against the API model's spec shape (never modified)
 * @param source where it is defined
 */
public record Resource(
    Kind kind, String mesh, Optional<String> parent, String name, JsonObject spec, Source source) {

  /** How errors and logs name it: {@code virtualNode colorteller-red in mesh appmesh-workshop}. */
  public String describe() {
    return switch (kind) {
      case MESH -> "mesh " + name;
      case ROUTE, GATEWAY_ROUTE ->
          kind.wrapper()
              + " "
              + name
              + " of "
              + kind.parentMember().orElseThrow().replace("Name", "")
              + " "
              + parent.orElse("?")
              + " in mesh "
              + mesh;
      default -> kind.wrapper() + " " + name + " in mesh " + mesh;
    };
  }
}
