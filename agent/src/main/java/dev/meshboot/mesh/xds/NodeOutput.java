package dev.meshboot.mesh.xds;

import dev.meshboot.mesh.NodeResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The resources of one node as they are made, each kind by name: sorted, no duplicates. */
final class NodeOutput {

  private final Map<String, Listener> listeners = new TreeMap<>();
  private final Map<String, Cluster> clusters = new TreeMap<>();
  private final Map<String, RouteConfiguration> routes = new TreeMap<>();

  void add(Listener listener) {
    listeners.put(listener.getName(), listener);
  }

  void add(Cluster cluster) {
    clusters.put(cluster.getName(), cluster);
  }

  void addAll(Map<String, Cluster> more) {
    clusters.putAll(more);
  }

  void add(RouteConfiguration route) {
    routes.put(route.getName(), route);
  }

  NodeResources resources() {
    return new NodeResources(
        List.copyOf(listeners.values()),
        List.copyOf(clusters.values()),
        List.copyOf(routes.values()),
        List.of(),
        List.of());
  }

  /** {@code address}:{@code port}; on {@code ::} IPv4 too. */
  static Address address(String address, int port) {
    return Address.newBuilder()
        .setSocketAddress(
            SocketAddress.newBuilder()
                .setAddress(address)
                .setPortValue(port)
                .setIpv4Compat(address.equals("::")))
        .build();
  }
}
