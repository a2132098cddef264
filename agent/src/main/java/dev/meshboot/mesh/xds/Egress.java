package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import com.google.protobuf.UInt32Value;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A virtual node's egress: the listener {@code lds_egress_0.0.0.0_15001} that iptables sends the
 * application's outbound connections to, choosing by the port the application connected to: an HTTP
 * connection manager routing by authority ({@code rds_egress_http_<port>}) for ports with HTTP
 * backends, a TCP proxy for a TCP backend's port, and on port 15001 itself the HTTP proxy of every
 * HTTP backend. The mesh's egress filter decides the rest: TLS to {@code *.amazonaws.com} on 443
 * always leaves for where it was going; under ALLOW_ALL so does anything else, through a default
 * filter chain that no other chain can shadow (unlike App Mesh's port-443 chain that swallowed all
 * 443 traffic: roadmap#79); under DROP_ALL nothing else matches.
 */
final class Egress {

  static final String STAT_PREFIX = "egress";
  static final int HTTPS_PORT = 443;

  private Egress() {}

  static void build(MeshContext mesh, Resource node, NodeOutput out) {
    EgressPlan plan = new EgressPlan(mesh, node);
    List<JsonObject> backends = Spec.objects(node.spec(), "backends");
    for (int i = 0; i < backends.size(); i++) {
      String path = "spec.backends[" + i + "].virtualService";
      Optional<JsonObject> service = Spec.object(backends.get(i), "virtualService");
      if (service.isPresent()) {
        plan.add(
            Spec.string(service.get(), "virtualServiceName")
                .orElseThrow(() -> Spec.fail(node, path + ".virtualServiceName", "required")),
            EgressPlan.policy(node, service.get(), path),
            path);
      }
    }
    List<AccessLog> accessLogs = Filters.accessLogs(node);
    IpPreference preference = IpPreference.of(node, mesh.preference());
    Listener.Builder listener =
        Listener.newBuilder()
            .setName(Names.EGRESS_LISTENER)
            .setAddress(NodeOutput.address(preference.bind(), Names.EGRESS_PORT))
            .setTrafficDirection(TrafficDirection.OUTBOUND)
            .addListenerFilters(Filters.originalDestination())
            .addListenerFilters(Filters.tlsInspector(List.of(HTTPS_PORT)));
    Map<Integer, List<EgressPlan.HttpService>> http = plan.http();
    for (Map.Entry<Integer, List<EgressPlan.HttpService>> port : http.entrySet()) {
      if (port.getKey() != Names.EGRESS_PORT) {
        out.add(EgressRoutes.port(port.getKey(), port.getValue(), mesh));
        listener.addFilterChains(httpChain(port.getKey(), accessLogs));
      }
    }
    for (Map.Entry<Integer, EgressPlan.TcpService> port : plan.tcp().entrySet()) {
      if (port.getKey() == Names.EGRESS_PORT) {
        throw Spec.fail(
            node,
            "spec.backends",
            "virtual service "
                + port.getValue().service()
                + " is a TCP backend on port 15001, the egress listener's own port");
      }
      listener.addFilterChains(
          FilterChain.newBuilder()
              .setFilterChainMatch(
                  FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(port.getKey())))
              .addFilters(
                  Filters.tcpProxy(
                      port.getValue().proxy().clone(),
                      STAT_PREFIX,
                      port.getValue().idle(),
                      accessLogs)));
    }
    out.add(EgressRoutes.proxy(plan, List.of()));
    listener.addFilterChains(httpChain(Names.EGRESS_PORT, accessLogs));
    listener.addFilterChains(
        FilterChain.newBuilder()
            .setFilterChainMatch(
                FilterChainMatch.newBuilder()
                    .setDestinationPort(UInt32Value.of(HTTPS_PORT))
                    .addServerNames("*.amazonaws.com")
                    .setTransportProtocol("tls"))
            .addFilters(
                Filters.tcpProxy(
                    TcpProxy.newBuilder().setCluster(Names.amazonaws(mesh.name())),
                    STAT_PREFIX,
                    Optional.empty(),
                    accessLogs)));
    out.add(Clusters.originalDestination(Names.amazonaws(mesh.name())));
    if (mesh.allowAll()) {
      listener.setDefaultFilterChain(
          FilterChain.newBuilder()
              .addFilters(
                  Filters.tcpProxy(
                      TcpProxy.newBuilder().setCluster(Names.allowAll(mesh.name())),
                      STAT_PREFIX,
                      Optional.empty(),
                      accessLogs)));
      out.add(Clusters.originalDestination(Names.allowAll(mesh.name())));
    }
    out.addAll(plan.clusters());
    out.add(listener.build());
  }

  private static FilterChain httpChain(int port, List<AccessLog> accessLogs) {
    return FilterChain.newBuilder()
        .setFilterChainMatch(FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(port)))
        .addFilters(
            Filters.network(Filters.httpManager(STAT_PREFIX, Names.egressRoutes(port), accessLogs)))
        .build();
  }
}
