package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.health_check.v3.HealthCheck;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A virtual gateway, as App Mesh made it (user guide "Virtual gateways", "Envoy metrics"; a 2022
 * config dump): per listener, {@code lds_ingress_0.0.0.0_<port>} with the gateway routes in {@code
 * rds_ingress_<protocol>_<port>}, sending each request through the self-redirect cluster into the
 * gateway's egress listener, where {@code rds_egress_http_15001} applies the target virtual
 * services' routes to the clusters of their virtual nodes. A listener exists even without gateway
 * routes, so that a load balancer's TCP health check passes (roadmap#285).
 */
final class Gateway {

  private Gateway() {}

  static void build(MeshContext mesh, Resource gateway, NodeOutput out) {
    List<PortListener> listeners = PortListener.of(gateway);
    List<Resource> routes = mesh.index().children(Kind.GATEWAY_ROUTE, mesh.name(), gateway.name());
    List<AccessLog> accessLogs = Filters.accessLogs(gateway);
    Optional<EgressPlan.ClientPolicy> policy =
        Spec.object(gateway.spec(), "backendDefaults")
            .flatMap(defaults -> Spec.object(defaults, "clientPolicy"))
            .map(p -> new EgressPlan.ClientPolicy(gateway, p, "spec.backendDefaults.clientPolicy"));
    EgressPlan plan = new EgressPlan(mesh, gateway);
    List<GatewayRoutes.Target> targets = new ArrayList<>();
    for (Resource route : routes) {
      for (String type : List.of("httpRoute", "http2Route", "grpcRoute")) {
        if (Spec.object(route.spec(), type).isPresent()) {
          GatewayRoutes.Target target = GatewayRoutes.target(route, type);
          plan.add(target.service(), policy, "spec." + type + ".action.target");
          targets.add(target);
        }
      }
    }
    GatewayRoutes.Authorities authorities = target -> authority(plan, target);
    boolean several = listeners.size() > 1;
    for (PortListener listener : listeners) {
      String cluster =
          Names.selfRedirect(
              mesh.name(), gateway.name(), listener.protocol(), listener.port(), several);
      out.add(Clusters.selfRedirect(cluster, listener));
      String routeName = Names.ingressRoutes(listener.protocol(), listener.port());
      out.add(
          RouteConfiguration.newBuilder()
              .setName(routeName)
              .addVirtualHosts(
                  VirtualHost.newBuilder()
                      .setName("self_redirect")
                      .addDomains("*")
                      .addAllRoutes(GatewayRoutes.routes(routes, listener, cluster, authorities)))
              .build());
      HttpConnectionManager.Builder manager =
          Filters.httpManager(
                  Names.ingressStatPrefix(listener.protocol(), listener.port(), several),
                  routeName,
                  accessLogs)
              .setStripAnyHostPort(true);
      healthCheck(listener).ifPresent(manager::addHttpFilters);
      Listener.Builder envoy =
          Listener.newBuilder()
              .setName(Names.gatewayListener(listener.port()))
              .setAddress(NodeOutput.address(mesh.preference().bind(), listener.port()))
              .setTrafficDirection(TrafficDirection.INBOUND)
              .addAllFilterChains(Ingress.chains(listener, Filters.network(manager)));
      if (listener.permissive()) {
        envoy.addListenerFilters(Filters.tlsInspector(List.of(listener.port())));
      }
      out.add(envoy.build());
    }
    out.add(EgressRoutes.proxy(plan, byHeader(plan, targets, authorities)));
    out.addAll(plan.clusters());
    out.add(
        Listener.newBuilder()
            .setName(Names.GATEWAY_EGRESS_LISTENER)
            .setAddress(NodeOutput.address("127.0.0.1", Names.EGRESS_PORT))
            .setTrafficDirection(TrafficDirection.OUTBOUND)
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filters.network(
                            Filters.httpManager(
                                Egress.STAT_PREFIX,
                                Names.egressRoutes(Names.EGRESS_PORT),
                                accessLogs))))
            .build());
  }

  /**
   * How a target is addressed at the egress listener: the virtual service's name, or name and port
   * when its provider has several HTTP listeners.
   */
  private static String authority(EgressPlan plan, GatewayRoutes.Target target) {
    int ports = plan.httpPorts(target.service()).size();
    if (ports > 1 && target.port().isEmpty()) {
      throw Spec.fail(
          target.route(),
          "spec",
          "virtual service "
              + target.service()
              + " listens on "
              + ports
              + " ports: the target needs a port");
    }
    int port =
        target
            .port()
            .orElseGet(() -> plan.httpPorts(target.service()).stream().findFirst().orElse(0));
    return EgressRoutes.authority(plan, target.service(), port);
  }

  /**
   * Targets that keep the client's authority are chosen by {@link GatewayRoutes#TARGET_HEADER},
   * which the gateway route set and the egress listener removes before the request goes on.
   */
  private static List<VirtualHost> byHeader(
      EgressPlan plan, List<GatewayRoutes.Target> targets, GatewayRoutes.Authorities authorities) {
    Map<String, List<Route>> routes = new LinkedHashMap<>();
    for (GatewayRoutes.Target target : targets) {
      if (!target.keepsHost()) {
        continue;
      }
      String authority = authorities.of(target);
      int port =
          target
              .port()
              .orElseGet(() -> plan.httpPorts(target.service()).stream().findFirst().orElse(0));
      routes.computeIfAbsent(
          authority,
          a ->
              plan.routes(target.service(), port).stream()
                  .map(
                      route ->
                          route.toBuilder()
                              .setMatch(
                                  route.getMatch().toBuilder()
                                      .addHeaders(Matches.exact(GatewayRoutes.TARGET_HEADER, a)))
                              .addRequestHeadersToRemove(GatewayRoutes.TARGET_HEADER)
                              .build())
                  .toList());
    }
    if (routes.isEmpty()) {
      return List.of();
    }
    return List.of(
        VirtualHost.newBuilder()
            .setName("default_backend")
            .addDomains("*")
            .addAllRoutes(routes.values().stream().flatMap(List::stream).toList())
            .build());
  }

  /**
   * A listener's {@code healthCheck} with a {@code path} on HTTP or HTTP/2: the gateway answers
   * that path itself (200, or 503 while draining), for the load balancer in front of it. Nothing in
   * the mesh calls a gateway, so the check's timing and thresholds describe that load balancer's
   * probe and configure nothing in Envoy.
   */
  private static Optional<HttpFilter> healthCheck(PortListener listener) {
    Optional<JsonObject> check = Spec.object(listener.spec(), "healthCheck");
    Optional<String> path = check.flatMap(c -> Spec.string(c, "path")).filter(p -> !p.isEmpty());
    String protocol = check.flatMap(c -> Spec.string(c, "protocol")).orElse("");
    if (path.isEmpty() || protocol.equals("grpc")) {
      return Optional.empty();
    }
    return Optional.of(
        HttpFilter.newBuilder()
            .setName("envoy.filters.http.health_check")
            .setTypedConfig(
                Any.pack(
                    HealthCheck.newBuilder()
                        .setPassThroughMode(BoolValue.of(false))
                        .addHeaders(
                            HeaderMatcher.newBuilder()
                                .setName(":path")
                                .setStringMatch(StringMatcher.newBuilder().setExact(path.get())))
                        .build()))
            .build());
  }
}
