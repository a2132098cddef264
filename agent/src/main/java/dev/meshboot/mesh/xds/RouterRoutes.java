package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import com.google.protobuf.UInt32Value;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A virtual router's routes for one of its listeners, as Envoy routes (HTTP, HTTP/2, gRPC) or as a
 * TCP proxy (TCP), in App Mesh's order: {@code priority} first (0 highest, routes without one
 * last), then the most specific match (the longest path or prefix, then the most conditions, as the
 * user guide describes gateway routes), then the route's name.
 */
final class RouterRoutes {

  /** Where a route's targets go: the cluster of a virtual node's listener. */
  interface Targets {
    /**
     * The cluster of {@code node}'s listener on {@code port} (its only listener when empty), for
     * the route {@code route} whose target it is at {@code path}.
     */
    String cluster(Resource route, String path, String node, Optional<Integer> port);
  }

  private record Candidate(Resource route, JsonObject spec, String type, RouteMatch match) {}

  private RouterRoutes() {}

  /** The routes of type {@code listener.protocol}Route that apply to {@code listener}'s port. */
  static List<Resource> applying(List<Resource> routes, PortListener listener) {
    String type = type(listener.protocol());
    return routes.stream()
        .filter(route -> Spec.object(route.spec(), type).isPresent())
        .filter(
            route ->
                Spec.object(route.spec(), type)
                    .flatMap(spec -> Spec.object(spec, "match"))
                    .flatMap(match -> Spec.number(match, "port"))
                    .map(port -> port == listener.port())
                    .orElse(true))
        .toList();
  }

  /** The spec member of a route of {@code protocol}: {@code httpRoute}, {@code grpcRoute}... */
  static String type(String protocol) {
    return protocol + "Route";
  }

  /** HTTP-family routes for {@code listener}, ordered. */
  static List<Route> http(List<Resource> routes, PortListener listener, Targets targets) {
    String type = type(listener.protocol());
    boolean grpc = listener.protocol().equals("grpc");
    List<Candidate> candidates = new ArrayList<>();
    for (Resource route : applying(routes, listener)) {
      JsonObject spec = Spec.object(route.spec(), type).orElseThrow();
      JsonObject match = Spec.object(spec, "match").orElse(new JsonObject());
      String path = "spec." + type + ".match";
      RouteMatch.Builder envoy =
          grpc ? Matches.grpc(route, match, path) : Matches.http(route, match, path);
      candidates.add(new Candidate(route, spec, type, envoy.build()));
    }
    candidates.sort(ORDER);
    List<Route> out = new ArrayList<>();
    for (Candidate candidate : candidates) {
      out.add(route(candidate, grpc, targets));
    }
    return out;
  }

  /**
   * The TCP route for {@code listener}: its weighted targets behind a TCP proxy, its idle timeout
   * (App Mesh's 300 s by default). One TCP route per router listener: TCP has nothing else to
   * choose by.
   */
  static Optional<TcpRoute> tcp(List<Resource> routes, PortListener listener, Targets targets) {
    List<Resource> applying = new ArrayList<>(applying(routes, listener));
    if (applying.isEmpty()) {
      return Optional.empty();
    }
    if (applying.size() > 1) {
      throw Spec.fail(
          applying.get(1),
          "spec.tcpRoute",
          "router "
              + listener.owner().name()
              + " already has TCP route "
              + applying.get(0).name()
              + " on port "
              + listener.port()
              + "; a TCP listener can have only one route");
    }
    Resource route = applying.get(0);
    JsonObject spec = Spec.object(route.spec(), "tcpRoute").orElseThrow();
    List<Target> positive =
        targets(route, spec, "spec.tcpRoute", targets).stream()
            .filter(t -> t.weight() > 0)
            .toList();
    if (positive.isEmpty()) {
      // Every target at weight 0: no filter chain, the connection is closed.
      return Optional.empty();
    }
    TcpProxy.Builder proxy = TcpProxy.newBuilder();
    if (positive.size() == 1) {
      proxy.setCluster(positive.get(0).cluster());
    } else {
      TcpProxy.WeightedCluster.Builder clusters = TcpProxy.WeightedCluster.newBuilder();
      for (Target target : positive) {
        clusters.addClusters(
            TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                .setName(target.cluster())
                .setWeight(target.weight()));
      }
      proxy.setWeightedClusters(clusters);
    }
    Optional<com.google.protobuf.Duration> idle =
        Spec.object(spec, "timeout")
            .flatMap(timeout -> Spec.duration(route, timeout, "idle", "spec.tcpRoute.timeout"));
    return Optional.of(
        new TcpRoute(route, proxy, Optional.of(idle.orElse(PortListener.DEFAULT_TCP_IDLE))));
  }

  /** A TCP route's proxy and idle timeout. */
  record TcpRoute(
      Resource route, TcpProxy.Builder proxy, Optional<com.google.protobuf.Duration> idle) {}

  private record Target(String cluster, int weight) {}

  private static Route route(Candidate candidate, boolean grpc, Targets targets) {
    Resource route = candidate.route();
    JsonObject spec = candidate.spec();
    String path = "spec." + candidate.type();
    Route.Builder envoy = Route.newBuilder().setName(route.name()).setMatch(candidate.match());
    List<Target> weighted = targets(route, spec, path, targets);
    int total = weighted.stream().mapToInt(Target::weight).sum();
    if (total == 0) {
      // Every target at weight 0: nowhere to send the request, as a 503 says.
      return envoy
          .setDirectResponse(
              DirectResponseAction.newBuilder()
                  .setStatus(503)
                  .setBody(
                      DataSource.newBuilder()
                          .setInlineString("route " + route.name() + " has no target with weight")))
          .build();
    }
    RouteAction.Builder action = RouteAction.newBuilder();
    if (weighted.size() == 1) {
      action.setCluster(weighted.get(0).cluster());
    } else {
      WeightedCluster.Builder clusters = WeightedCluster.newBuilder();
      for (Target target : weighted) {
        clusters.addClusters(
            WeightedCluster.ClusterWeight.newBuilder()
                .setName(target.cluster())
                .setWeight(UInt32Value.of(target.weight())));
      }
      action.setWeightedClusters(clusters);
    }
    Optional<JsonObject> timeout = Spec.object(spec, "timeout");
    action.setTimeout(
        timeout
            .flatMap(t -> Spec.duration(route, t, "perRequest", path + ".timeout"))
            .orElse(PortListener.DEFAULT_REQUEST_TIMEOUT));
    timeout
        .flatMap(t -> Spec.duration(route, t, "idle", path + ".timeout"))
        .ifPresent(action::setIdleTimeout);
    action.setRetryPolicy(
        Spec.object(spec, "retryPolicy")
            .map(policy -> Retries.of(route, policy, path + ".retryPolicy"))
            .orElseGet(() -> Retries.defaults(grpc)));
    return envoy.setRoute(action).build();
  }

  private static List<Target> targets(
      Resource route, JsonObject spec, String path, Targets targets) {
    JsonObject action =
        Spec.object(spec, "action")
            .orElseThrow(() -> Spec.fail(route, path + ".action", "an action is required"));
    List<JsonObject> weighted = Spec.objects(action, "weightedTargets");
    if (weighted.isEmpty()) {
      throw Spec.fail(route, path + ".action.weightedTargets", "at least one target is required");
    }
    Map<String, Integer> byCluster = new LinkedHashMap<>();
    for (int i = 0; i < weighted.size(); i++) {
      JsonObject target = weighted.get(i);
      String at = path + ".action.weightedTargets[" + i + "]";
      String node =
          Spec.string(target, "virtualNode")
              .orElseThrow(
                  () -> Spec.fail(route, at + ".virtualNode", "a virtual node is required"));
      Optional<Integer> port = Spec.number(target, "port").map(Long::intValue);
      byCluster.merge(
          targets.cluster(route, at, node, port),
          Spec.number(target, "weight").orElse(0L).intValue(),
          Integer::sum);
    }
    return byCluster.entrySet().stream().map(e -> new Target(e.getKey(), e.getValue())).toList();
  }

  private static final Comparator<Candidate> ORDER =
      Comparator.<Candidate>comparingLong(
              c -> Spec.number(c.route().spec(), "priority").orElse(Long.MAX_VALUE))
          .thenComparing(c -> -length(c.match()))
          .thenComparing(c -> -(c.match().getHeadersCount() + c.match().getQueryParametersCount()))
          .thenComparing(c -> c.route().name());

  /** How specific a match's path is: the length of its exact path, prefix or regex. */
  static int length(RouteMatch match) {
    return switch (match.getPathSpecifierCase()) {
      case PATH -> match.getPath().length() + 1;
      case PREFIX -> match.getPrefix().length();
      case SAFE_REGEX -> match.getSafeRegex().getRegex().length();
      default -> 0;
    };
  }
}
