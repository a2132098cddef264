package dev.meshboot.mesh.serve;

import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.Resource;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The resources a new definition adds, removes or changes against the one served, resource by
 * resource: what the server asks the translations which nodes can be affected by. A resource is
 * changed when its spec is (where it is defined is not a change).
 */
final class Changes {

  /**
   * A resource added, removed or changed, as {@link dev.meshboot.mesh.Translation#affectedBy} takes
   * it.
   *
   * @param name the resource's name; for a route or gateway route, its router's or gateway's
   */
  record Changed(Kind kind, String mesh, String name) {}

  private record Key(Kind kind, String mesh, String parent, String name) {

    static Key of(Resource resource) {
      return new Key(
          resource.kind(), resource.mesh(), resource.parent().orElse(""), resource.name());
    }

    Changed changed() {
      return new Changed(kind, mesh, parent.isEmpty() ? name : parent);
    }
  }

  private Changes() {}

  /** What {@code after} changes from {@code before}, each affected name once. */
  static Set<Changed> between(MeshDefinition before, MeshDefinition after) {
    Map<Key, Resource> old = new LinkedHashMap<>();
    for (Resource resource : before.resources()) {
      old.put(Key.of(resource), resource);
    }
    Set<Changed> changed = new LinkedHashSet<>();
    for (Resource resource : after.resources()) {
      Key key = Key.of(resource);
      Resource was = old.remove(key);
      if (was == null || !Objects.equals(was.spec(), resource.spec())) {
        changed.add(key.changed());
      }
    }
    for (Key removed : old.keySet()) {
      changed.add(removed.changed());
    }
    return changed;
  }
}
