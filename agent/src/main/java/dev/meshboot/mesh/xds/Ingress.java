package dev.meshboot.mesh.xds;

import com.google.protobuf.UInt32Value;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.List;

/**
 * A virtual node's ingress: the listener {@code lds_ingress_0.0.0.0_15000} that iptables sends the
 * application's ports to, one filter chain per virtual node listener (matched by the port the
 * client connected to), TLS termination as the listener says, and the local application as a
 * cluster per port, reached through {@code rds_ingress_<protocol>_<port>} for HTTP-family
 * listeners.
 */
final class Ingress {

  private Ingress() {}

  static void build(MeshContext mesh, Resource node, NodeOutput out) {
    List<PortListener> listeners = PortListener.of(node);
    if (listeners.isEmpty()) {
      return;
    }
    IpPreference preference = IpPreference.of(node, mesh.preference());
    List<AccessLog> accessLogs = Filters.accessLogs(node);
    boolean several = listeners.size() > 1;
    Listener.Builder listener =
        Listener.newBuilder()
            .setName(Names.INGRESS_LISTENER)
            .setAddress(NodeOutput.address(preference.bind(), Names.INGRESS_PORT))
            .setTrafficDirection(TrafficDirection.INBOUND)
            .addListenerFilters(Filters.originalDestination());
    List<Integer> permissive = new ArrayList<>();
    for (PortListener port : listeners) {
      String cluster = Names.ingressCluster(mesh.name(), node.name(), port.protocol(), port.port());
      out.add(Clusters.ingress(cluster, port, preference));
      String statPrefix = Names.ingressStatPrefix(port.protocol(), port.port(), several);
      Filter filter;
      if (port.http()) {
        String routes = Names.ingressRoutes(port.protocol(), port.port());
        out.add(routes(routes, cluster, port));
        filter = Filters.network(Filters.httpManager(statPrefix, routes, accessLogs));
      } else {
        filter =
            Filters.tcpProxy(
                TcpProxy.newBuilder().setCluster(cluster), statPrefix, port.idle(), accessLogs);
      }
      listener.addAllFilterChains(chains(port, filter));
      if (port.permissive()) {
        permissive.add(port.port());
      }
    }
    if (!permissive.isEmpty()) {
      listener.addListenerFilters(Filters.tlsInspector(permissive));
    }
    out.add(listener.build());
  }

  /**
   * The filter chains of one listener, matched by its port: TLS ({@code STRICT}), TLS and plain
   * text side by side told apart by the TLS inspector ({@code PERMISSIVE}), or plain text.
   */
  static List<FilterChain> chains(PortListener listener, Filter filter) {
    FilterChainMatch.Builder match =
        FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(listener.port()));
    FilterChain plain =
        FilterChain.newBuilder().setFilterChainMatch(match).addFilters(filter).build();
    if (listener.tls().isEmpty()) {
      return List.of(plain);
    }
    FilterChain.Builder tls =
        FilterChain.newBuilder()
            .addFilters(filter)
            .setTransportSocket(
                Tls.socket(
                    Tls.server(listener.owner(), listener.tls().get(), listener.path() + ".tls")));
    if (listener.permissive()) {
      return List.of(
          tls.setFilterChainMatch(match.clone().setTransportProtocol("tls")).build(), plain);
    }
    return List.of(tls.setFilterChainMatch(match).build());
  }

  /** Every request to the local application, within the listener's timeouts. */
  private static RouteConfiguration routes(String name, String cluster, PortListener port) {
    RouteAction.Builder action =
        RouteAction.newBuilder().setCluster(cluster).setTimeout(port.perRequest());
    port.idle().ifPresent(action::setIdleTimeout);
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(port.owner().name() + "_" + port.protocol() + "_" + port.port())
                .addDomains("*")
                .addRoutes(
                    Route.newBuilder()
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(action)))
        .build();
  }
}
