package dev.meshboot.mesh.load;

import com.google.gson.JsonObject;
import dev.meshboot.mesh.Kind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the App Mesh API refused across resources by name: a resource defined twice (same kind, mesh
 * and parent), a mesh, router or gateway that is not defined, a virtual service's provider, a
 * backend, a route's target or a gateway route's target that does not exist, and one mesh with two
 * owners.
 */
final class References {

  private final Index index;
  private final Problems problems;
  private final String unread;

  /**
   * @param incomplete some files could not be read or parsed: what they define is missing, and an
   *     error that a name is not defined says so, so that it does not send the user looking for a
   *     typo in a name that is defined
   */
  References(Index index, Problems problems, boolean incomplete) {
    this.index = index;
    this.problems = problems;
    this.unread = incomplete ? "; a file that could not be read may define it" : "";
  }

  void check(List<Found> found) {
    for (List<Found> group : index.groups()) {
      for (Found again : group.subList(1, group.size())) {
        problems.at(
            again,
            again.at() + "." + again.kind().nameMember(),
            "defined again; the first definition is in " + group.get(0).source());
      }
    }
    Map<String, Found> owners = new HashMap<>();
    for (Found f : found) {
      if (f.resource().isEmpty()) {
        continue;
      }
      String mesh = f.mesh();
      if (mesh == null) {
        continue;
      }
      if (f.kind() != Kind.MESH && index.find(Kind.MESH, mesh, mesh) == null) {
        problems.at(
            f,
            f.at() + ".meshName",
            "mesh \"" + mesh + "\" is not defined (no create-mesh request names it)" + unread);
      }
      owner(f, mesh, owners);
      String parent = f.parent();
      if (f.kind() == Kind.ROUTE && parent != null) {
        exists(f, Kind.VIRTUAL_ROUTER, parent, f.at() + ".virtualRouterName");
      } else if (f.kind() == Kind.GATEWAY_ROUTE && parent != null) {
        exists(f, Kind.VIRTUAL_GATEWAY, parent, f.at() + ".virtualGatewayName");
      }
      if (f.valid()) {
        inSpec(f);
      }
    }
  }

  private void owner(Found f, String mesh, Map<String, Found> owners) {
    String owner = f.meshOwner();
    if (owner == null) {
      return;
    }
    Found first = owners.putIfAbsent(mesh, f);
    if (first != null && !owner.equals(first.meshOwner())) {
      problems.at(
          f,
          f.at() + ".meshOwner",
          "expected "
              + first.meshOwner()
              + " (the meshOwner in "
              + first.source()
              + ") but got "
              + owner
              + "; a definition holds one mesh of each name");
    }
  }

  private void inSpec(Found f) {
    JsonObject spec = f.spec();
    String at = f.specPath();
    switch (f.kind()) {
      case VIRTUAL_SERVICE -> {
        JsonObject provider = Json.object(spec, "provider");
        if (provider != null) {
          JsonObject node = Json.object(provider, "virtualNode");
          JsonObject router = Json.object(provider, "virtualRouter");
          if (node != null) {
            exists(
                f,
                Kind.VIRTUAL_NODE,
                Json.text(node, "virtualNodeName"),
                at + ".provider.virtualNode.virtualNodeName");
          } else if (router != null) {
            exists(
                f,
                Kind.VIRTUAL_ROUTER,
                Json.text(router, "virtualRouterName"),
                at + ".provider.virtualRouter.virtualRouterName");
          }
        }
      }
      case VIRTUAL_NODE -> {
        List<JsonObject> backends = Json.objects(spec, "backends");
        for (int i = 0; i < backends.size(); i++) {
          JsonObject service = Json.object(backends.get(i), "virtualService");
          if (service != null) {
            exists(
                f,
                Kind.VIRTUAL_SERVICE,
                Json.text(service, "virtualServiceName"),
                at + ".backends[" + i + "].virtualService.virtualServiceName");
          }
        }
      }
      case ROUTE -> {
        String type = Json.firstOf(spec, ShapeRules.ROUTE_TYPES);
        JsonObject route = type == null ? null : Json.object(spec, type);
        JsonObject action = route == null ? null : Json.object(route, "action");
        if (action != null) {
          List<JsonObject> targets = Json.objects(action, "weightedTargets");
          for (int i = 0; i < targets.size(); i++) {
            exists(
                f,
                Kind.VIRTUAL_NODE,
                Json.text(targets.get(i), "virtualNode"),
                at + "." + type + ".action.weightedTargets[" + i + "].virtualNode");
          }
        }
      }
      case GATEWAY_ROUTE -> {
        String type = Json.firstOf(spec, ShapeRules.GATEWAY_ROUTE_TYPES);
        JsonObject service = target(spec, type);
        if (service != null) {
          exists(
              f,
              Kind.VIRTUAL_SERVICE,
              Json.text(service, "virtualServiceName"),
              at + "." + type + ".action.target.virtualService.virtualServiceName");
        }
      }
      default -> {}
    }
  }

  /** A gateway route's {@code action.target.virtualService}. */
  static @Nullable JsonObject target(JsonObject spec, @Nullable String type) {
    JsonObject route = type == null ? null : Json.object(spec, type);
    JsonObject action = route == null ? null : Json.object(route, "action");
    JsonObject target = action == null ? null : Json.object(action, "target");
    return target == null ? null : Json.object(target, "virtualService");
  }

  private void exists(Found f, Kind kind, @Nullable String name, String path) {
    String mesh = f.mesh();
    if (name == null || mesh == null || index.find(kind, mesh, name) != null) {
      return;
    }
    problems.at(
        f, path, kind.wrapper() + " \"" + name + "\" is not defined in mesh " + mesh + unread);
  }
}
