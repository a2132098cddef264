package dev.meshboot.mesh;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;

/**
 * The xDS resources one Envoy gets: what App Mesh configured for a virtual node or gateway, with
 * App Mesh's resource names. Each list sorted by resource name.
 */
public record NodeResources(
    List<Listener> listeners,
    List<Cluster> clusters,
    List<RouteConfiguration> routes,
    List<ClusterLoadAssignment> endpoints,
    List<Secret> secrets) {

  public NodeResources {
    listeners = List.copyOf(listeners);
    clusters = List.copyOf(clusters);
    routes = List.copyOf(routes);
    endpoints = List.copyOf(endpoints);
    secrets = List.copyOf(secrets);
  }
}
