package dev.meshboot.mesh.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.Resource;
import dev.meshboot.mesh.Source;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A document recognized as a resource of {@code kind}, before the definition is judged whole.
 *
 * @param at the JSON path of the request in its document: {@code $}, or {@code $.virtualNode} in a
 *     describe response
 * @param body the create request, or the describe response's resource
 * @param mesh its {@code meshName}, if the document has one
 * @param parent its router's or gateway's name, for a route or gateway route that has one
 * @param name its name, if the document has one
 * @param meshOwner the {@code meshOwner} of a create request, if given
 * @param valid whether the document fits the App Mesh API model (then its spec can be read)
 */
record Found(
    Kind kind,
    Source source,
    String at,
    JsonObject body,
    @Nullable String mesh,
    @Nullable String parent,
    @Nullable String name,
    @Nullable String meshOwner,
    boolean valid) {

  /** Its spec: a mesh's is optional, so empty when absent. */
  JsonObject spec() {
    JsonElement spec = body.get("spec");
    return spec != null && spec.isJsonObject() ? spec.getAsJsonObject() : new JsonObject();
  }

  /** The JSON path of its spec. */
  String specPath() {
    return at + ".spec";
  }

  /** The resource, once named completely. */
  Optional<Resource> resource() {
    if (mesh == null || name == null || (kind.parentMember().isPresent() && parent == null)) {
      return Optional.empty();
    }
    return Optional.of(
        new Resource(
            kind,
            mesh,
            kind.parentMember().isPresent() ? Optional.ofNullable(parent) : Optional.empty(),
            name,
            spec(),
            source));
  }

  /** How errors name it, with {@code ?} for what the document does not say. */
  String label() {
    return new Resource(
            kind,
            mesh == null ? "?" : mesh,
            kind.parentMember().isPresent()
                ? Optional.of(parent == null ? "?" : parent)
                : Optional.empty(),
            name == null ? "?" : name,
            body,
            source)
        .describe();
  }
}
