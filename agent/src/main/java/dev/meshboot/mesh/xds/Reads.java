package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.Resource;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What each node's translation reads besides itself: the virtual services of its backends (or
 * gateway routes), their routers and the virtual nodes they lead to. Inverted, it tells which nodes
 * a change can affect.
 */
final class Reads {

  private Reads() {}

  static String key(Kind kind, String mesh, String name) {
    return kind + "/" + mesh + "/" + name;
  }

  /** For each resource read, the nodes that read it. */
  static Map<String, Set<NodeKey>> readers(MeshIndex index, List<NodeKey> nodes) {
    Map<String, Set<NodeKey>> readers = new HashMap<>();
    for (NodeKey node : nodes) {
      Resource resource = index.find(node.kind(), node.mesh(), node.name()).orElseThrow();
      for (String service : services(index, resource)) {
        read(readers, node, Kind.VIRTUAL_SERVICE, service);
        Optional<JsonObject> provider =
            index
                .find(Kind.VIRTUAL_SERVICE, node.mesh(), service)
                .flatMap(s -> Spec.object(s.spec(), "provider"));
        provider
            .flatMap(p -> Spec.object(p, "virtualNode"))
            .flatMap(n -> Spec.string(n, "virtualNodeName"))
            .ifPresent(target -> read(readers, node, Kind.VIRTUAL_NODE, target));
        Optional<String> router =
            provider
                .flatMap(p -> Spec.object(p, "virtualRouter"))
                .flatMap(r -> Spec.string(r, "virtualRouterName"));
        if (router.isPresent()) {
          read(readers, node, Kind.VIRTUAL_ROUTER, router.get());
          for (Resource route : index.children(Kind.ROUTE, node.mesh(), router.get())) {
            for (String type : List.of("httpRoute", "http2Route", "grpcRoute", "tcpRoute")) {
              Spec.object(route.spec(), type)
                  .flatMap(spec -> Spec.object(spec, "action"))
                  .ifPresent(
                      action -> {
                        for (JsonObject target : Spec.objects(action, "weightedTargets")) {
                          Spec.string(target, "virtualNode")
                              .ifPresent(name -> read(readers, node, Kind.VIRTUAL_NODE, name));
                        }
                      });
            }
          }
        }
      }
    }
    return readers;
  }

  private static Set<String> services(MeshIndex index, Resource node) {
    Set<String> services = new LinkedHashSet<>();
    if (node.kind() == Kind.VIRTUAL_NODE) {
      for (JsonObject backend : Spec.objects(node.spec(), "backends")) {
        Spec.object(backend, "virtualService")
            .flatMap(vs -> Spec.string(vs, "virtualServiceName"))
            .ifPresent(services::add);
      }
    } else {
      for (Resource route : index.children(Kind.GATEWAY_ROUTE, node.mesh(), node.name())) {
        for (String type : List.of("httpRoute", "http2Route", "grpcRoute")) {
          Spec.object(route.spec(), type)
              .flatMap(spec -> Spec.object(spec, "action"))
              .flatMap(action -> Spec.object(action, "target"))
              .flatMap(target -> Spec.object(target, "virtualService"))
              .flatMap(vs -> Spec.string(vs, "virtualServiceName"))
              .ifPresent(services::add);
        }
      }
    }
    return services;
  }

  private static void read(
      Map<String, Set<NodeKey>> readers, NodeKey reader, Kind kind, String name) {
    readers.computeIfAbsent(key(kind, reader.mesh(), name), k -> new LinkedHashSet<>()).add(reader);
  }
}
