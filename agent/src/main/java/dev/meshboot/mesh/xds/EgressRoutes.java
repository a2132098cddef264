package dev.meshboot.mesh.xds;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The egress route configurations: {@code rds_egress_http_<port>} for the HTTP backends the
 * application reaches on a port (one virtual host per virtual service, by its name with and without
 * the port, as App Mesh's config dumps show), and {@code rds_egress_http_15001} for an application
 * that uses the egress listener as its HTTP proxy (every HTTP backend).
 */
final class EgressRoutes {

  private EgressRoutes() {}

  /**
   * {@code port}'s route configuration; under ALLOW_ALL, a last virtual host sends every other
   * authority where the application connected ({@code cds_egress_<mesh>_mesh-allow-all}).
   */
  static RouteConfiguration port(
      int port, List<EgressPlan.HttpService> services, MeshContext mesh) {
    RouteConfiguration.Builder config =
        RouteConfiguration.newBuilder().setName(Names.egressRoutes(port));
    for (EgressPlan.HttpService service : services) {
      config.addVirtualHosts(
          host(service.service(), domains(service.service(), port), service.routes()));
    }
    if (mesh.allowAll()) {
      config.addVirtualHosts(
          VirtualHost.newBuilder()
              .setName("mesh-allow-all")
              .addDomains("*")
              .addRoutes(
                  Route.newBuilder()
                      .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                      .setRoute(RouteAction.newBuilder().setCluster(Names.allowAll(mesh.name())))));
    }
    return config.build();
  }

  /**
   * {@code rds_egress_http_15001}: every HTTP backend. A virtual service on one port answers to its
   * name, its name with port 15001 (App Mesh's) and with its own port; one on several ports answers
   * to its name with each port only, one virtual host per port.
   */
  static RouteConfiguration proxy(EgressPlan plan, List<VirtualHost> extra) {
    RouteConfiguration.Builder config =
        RouteConfiguration.newBuilder().setName(Names.egressRoutes(Names.EGRESS_PORT));
    Map<String, Set<Integer>> ports = new TreeMap<>();
    plan.http()
        .forEach(
            (port, services) ->
                services.forEach(
                    s -> ports.computeIfAbsent(s.service(), k -> new LinkedHashSet<>()).add(port)));
    ports.forEach(
        (service, servicePorts) -> {
          if (servicePorts.size() == 1) {
            int port = servicePorts.iterator().next();
            Set<String> domains = new LinkedHashSet<>(domains(service, Names.EGRESS_PORT));
            domains.add(service + ":" + port);
            config.addVirtualHosts(
                host(service, new ArrayList<>(domains), plan.routes(service, port)));
          } else {
            for (int port : servicePorts) {
              config.addVirtualHosts(
                  host(
                      service + ":" + port,
                      List.of(service + ":" + port),
                      plan.routes(service, port)));
            }
          }
        });
    config.addAllVirtualHosts(extra);
    return config.build();
  }

  /** The authority a gateway gives requests to {@code service}: its name, or name and port. */
  static String authority(EgressPlan plan, String service, int port) {
    return plan.httpPorts(service).size() == 1 ? service : service + ":" + port;
  }

  private static List<String> domains(String service, int port) {
    return List.of(service, service + ":" + port);
  }

  private static VirtualHost host(String name, List<String> domains, List<Route> routes) {
    return VirtualHost.newBuilder()
        .setName(name)
        .addAllDomains(domains)
        .addAllRoutes(routes)
        .build();
  }
}
