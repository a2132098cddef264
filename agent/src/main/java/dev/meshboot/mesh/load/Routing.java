package dev.meshboot.mesh.load;

import com.google.gson.JsonObject;
import dev.meshboot.mesh.Kind;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Routes against the listeners they serve and send to: a route's protocol must be one its router
 * listens with and its target nodes listen with (a mismatch App Mesh accepted and Envoy then failed
 * on silently: aws/aws-app-mesh-roadmap#82); a port a route matches or sends to must be a
 * listener's; where a router, gateway or target has several listeners, the route must say which
 * port (App Mesh's "must define a port match criteria if the Virtual Router has multiple
 * listeners"). The same for gateway routes, their gateway and their target service's provider.
 */
final class Routing {

  private final Index index;
  private final Problems problems;

  Routing(Index index, Problems problems) {
    this.index = index;
    this.problems = problems;
  }

  void check(List<Found> found) {
    for (Found f : found) {
      String mesh = f.mesh();
      String parent = f.parent();
      if (!f.valid() || mesh == null || parent == null) {
        continue;
      }
      if (f.kind() == Kind.ROUTE) {
        Found router = index.find(Kind.VIRTUAL_ROUTER, mesh, parent);
        String type = Json.firstOf(f.spec(), ShapeRules.ROUTE_TYPES);
        if (router != null && router.valid() && type != null) {
          route(f, router, type, mesh);
        }
      } else if (f.kind() == Kind.GATEWAY_ROUTE) {
        Found gateway = index.find(Kind.VIRTUAL_GATEWAY, mesh, parent);
        String type = Json.firstOf(f.spec(), ShapeRules.GATEWAY_ROUTE_TYPES);
        if (gateway != null && gateway.valid() && type != null) {
          gatewayRoute(f, gateway, type, mesh);
        }
      }
    }
  }

  private void route(Found route, Found router, String type, String mesh) {
    String at = route.specPath() + "." + type;
    JsonObject spec = Json.object(route.spec(), type);
    if (spec == null) {
      return;
    }
    String protocol = protocol(type);
    served(route, router, type, protocol, at, Json.object(spec, "match"));
    JsonObject action = Json.object(spec, "action");
    List<JsonObject> targets = action == null ? List.of() : Json.objects(action, "weightedTargets");
    for (int i = 0; i < targets.size(); i++) {
      JsonObject target = targets.get(i);
      String name = Json.text(target, "virtualNode");
      Found node = name == null ? null : index.find(Kind.VIRTUAL_NODE, mesh, name);
      if (node != null && node.valid()) {
        String targetAt = at + ".action.weightedTargets[" + i + "]";
        Index.Listener listener =
            listener(
                route,
                node,
                Json.integer(target, "port"),
                targetAt + ".port",
                targetAt + ".virtualNode");
        if (listener != null && !listener.protocol().equals(protocol)) {
          problems.at(
              route,
              targetAt + ".virtualNode",
              node.kind().wrapper()
                  + " "
                  + name
                  + " listens on port "
                  + listener.port()
                  + " with "
                  + listener.protocol()
                  + ", not "
                  + protocol
                  + ": "
                  + article(type)
                  + " needs targets of its protocol (App Mesh sent such traffic nowhere:"
                  + " aws/aws-app-mesh-roadmap#82)");
        }
      }
    }
  }

  private void gatewayRoute(Found route, Found gateway, String type, String mesh) {
    String at = route.specPath() + "." + type;
    JsonObject spec = Json.object(route.spec(), type);
    if (spec == null) {
      return;
    }
    served(route, gateway, type, protocol(type), at, Json.object(spec, "match"));
    JsonObject service = References.target(route.spec(), type);
    String name = service == null ? null : Json.text(service, "virtualServiceName");
    Found target = name == null ? null : index.find(Kind.VIRTUAL_SERVICE, mesh, name);
    Found provider = target == null || !target.valid() ? null : provider(target, mesh);
    JsonObject action = Json.object(spec, "action");
    JsonObject targetSpec = action == null ? null : Json.object(action, "target");
    if (provider != null && provider.valid() && targetSpec != null) {
      listener(
          route,
          provider,
          Json.integer(targetSpec, "port"),
          at + ".action.target.port",
          at + ".action.target.virtualService.virtualServiceName");
    }
  }

  /** The node or router providing a virtual service, if it has one that is defined. */
  private @Nullable Found provider(Found service, String mesh) {
    JsonObject provider = Json.object(service.spec(), "provider");
    if (provider == null) {
      return null;
    }
    JsonObject node = Json.object(provider, "virtualNode");
    JsonObject router = Json.object(provider, "virtualRouter");
    String nodeName = node == null ? null : Json.text(node, "virtualNodeName");
    String routerName = router == null ? null : Json.text(router, "virtualRouterName");
    return nodeName != null
        ? index.find(Kind.VIRTUAL_NODE, mesh, nodeName)
        : routerName != null ? index.find(Kind.VIRTUAL_ROUTER, mesh, routerName) : null;
  }

  /** The route's protocol and the port it matches against the listeners of what serves it. */
  private void served(
      Found route,
      Found server,
      String type,
      String protocol,
      String at,
      @Nullable JsonObject match) {
    List<Index.Listener> listeners = Index.listeners(server);
    String named = server.kind().wrapper() + " " + server.name();
    List<Index.Listener> same =
        listeners.stream().filter(l -> l.protocol().equals(protocol)).toList();
    if (same.isEmpty()) {
      problems.at(
          route,
          at,
          named
              + " has no "
              + protocol
              + " listener (its listeners: "
              + Index.describe(listeners)
              + "); "
              + article(type)
              + " needs one (aws/aws-app-mesh-roadmap#82)");
      return;
    }
    Integer port = match == null ? null : Json.integer(match, "port");
    if (port != null) {
      if (same.stream().noneMatch(l -> l.port() == port)) {
        problems.at(
            route,
            at + ".match.port",
            named
                + " has no "
                + protocol
                + " listener on port "
                + port
                + " (its listeners: "
                + Index.describe(listeners)
                + ")");
      }
    } else if (listeners.size() > 1) {
      problems.at(
          route,
          at + ".match.port",
          "required: "
              + named
              + " has "
              + listeners.size()
              + " listeners ("
              + Index.describe(listeners)
              + "), so a route says which port it serves");
    }
  }

  /**
   * The listener of {@code node} (a node or router) that {@code port} selects, or its only one;
   * null, with the error reported, when there is none to select.
   */
  private Index.@Nullable Listener listener(
      Found route, Found node, @Nullable Integer port, String portPath, String namePath) {
    List<Index.Listener> listeners = Index.listeners(node);
    String named = node.kind().wrapper() + " " + node.name();
    if (port != null) {
      for (Index.Listener listener : listeners) {
        if (listener.port() == port) {
          return listener;
        }
      }
      problems.at(
          route,
          portPath,
          named
              + " has no listener on port "
              + port
              + " (its listeners: "
              + Index.describe(listeners)
              + ")");
      return null;
    }
    if (listeners.size() == 1) {
      return listeners.get(0);
    }
    if (listeners.isEmpty()) {
      problems.at(route, namePath, named + " has no listeners to send traffic to");
      return null;
    }
    problems.at(
        route,
        portPath,
        "required: "
            + named
            + " has "
            + listeners.size()
            + " listeners ("
            + Index.describe(listeners)
            + "), so a target says which port it is sent to");
    return null;
  }

  /** {@code an httpRoute}, {@code a grpcRoute}. */
  private static String article(String type) {
    return (type.startsWith("http") ? "an " : "a ") + type;
  }

  /** {@code httpRoute} → {@code http}. */
  private static String protocol(String type) {
    return type.substring(0, type.length() - "Route".length());
  }
}
