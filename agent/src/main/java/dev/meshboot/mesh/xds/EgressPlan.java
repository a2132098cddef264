package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import com.google.protobuf.Duration;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where a virtual node's backends (or a gateway's targets) lead, port by port: the virtual services
 * reachable over HTTP on each port with their routes, the one virtual service behind each TCP port,
 * and the clusters of the virtual nodes they reach, each with the TLS its client policy (or its
 * server) asks for.
 */
final class EgressPlan {

  /** A client policy ({@code ClientPolicy}) and where it is defined. */
  record ClientPolicy(Resource owner, JsonObject policy, String path) {}

  /** A virtual service reachable over HTTP on a port, with its routes. */
  record HttpService(String service, int port, List<Route> routes) {}

  /** The virtual service behind a TCP port. */
  record TcpService(String service, TcpProxy.Builder proxy, Optional<Duration> idle) {}

  private final MeshContext mesh;
  private final Resource client;
  private final Map<Integer, Map<String, HttpService>> http = new TreeMap<>();
  private final Map<Integer, TcpService> tcp = new TreeMap<>();
  private final Map<String, Cluster> clusters = new TreeMap<>();
  private final Map<String, String> clusterPolicies = new HashMap<>();
  private final Map<String, String> clusterPolicyOwners = new HashMap<>();

  EgressPlan(MeshContext mesh, Resource client) {
    this.mesh = mesh;
    this.client = client;
  }

  /**
   * Adds virtual service {@code serviceName}, referred to at {@code path} of the client, with
   * {@code policy}: its provider's listeners, or its router's listeners and routes. A virtual
   * service without a provider leads nowhere.
   */
  void add(String serviceName, Optional<ClientPolicy> policy, String path) {
    Resource service =
        mesh.index()
            .find(Kind.VIRTUAL_SERVICE, mesh.name(), serviceName)
            .orElseThrow(() -> Spec.fail(client, path, "no virtual service " + serviceName));
    Optional<JsonObject> provider = Spec.object(service.spec(), "provider");
    Optional<String> node =
        provider
            .flatMap(p -> Spec.object(p, "virtualNode"))
            .flatMap(n -> Spec.string(n, "virtualNodeName"));
    Optional<String> router =
        provider
            .flatMap(p -> Spec.object(p, "virtualRouter"))
            .flatMap(r -> Spec.string(r, "virtualRouterName"));
    if (node.isPresent()) {
      Resource target = find(Kind.VIRTUAL_NODE, node.get(), service, "spec.provider.virtualNode");
      for (PortListener listener : PortListener.of(target)) {
        String cluster = cluster(listener, policy);
        if (listener.http()) {
          RouteAction.Builder action =
              RouteAction.newBuilder()
                  .setCluster(cluster)
                  .setTimeout(listener.perRequest())
                  .setRetryPolicy(Retries.defaults(listener.protocol().equals("grpc")));
          listener.idle().ifPresent(action::setIdleTimeout);
          Route route =
              Route.newBuilder()
                  .setName(target.name())
                  .setMatch(
                      io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setPrefix("/"))
                  .setRoute(action)
                  .build();
          addHttp(service, listener.port(), List.of(route));
        } else {
          addTcp(
              service, listener.port(), TcpProxy.newBuilder().setCluster(cluster), listener.idle());
        }
      }
    } else if (router.isPresent()) {
      Resource virtualRouter =
          find(Kind.VIRTUAL_ROUTER, router.get(), service, "spec.provider.virtualRouter");
      List<Resource> routes = mesh.index().children(Kind.ROUTE, mesh.name(), virtualRouter.name());
      RouterRoutes.Targets targets =
          (route, at, nodeName, port) -> {
            Resource target = find(Kind.VIRTUAL_NODE, nodeName, route, at);
            return cluster(listener(target, port, route, at), policy);
          };
      for (PortListener listener : PortListener.of(virtualRouter)) {
        if (listener.http()) {
          addHttp(service, listener.port(), RouterRoutes.http(routes, listener, targets));
        } else {
          RouterRoutes.tcp(routes, listener, targets)
              .ifPresent(
                  tcpRoute -> addTcp(service, listener.port(), tcpRoute.proxy(), tcpRoute.idle()));
        }
      }
    }
  }

  /** The HTTP services by port, each port's in name order. */
  Map<Integer, List<HttpService>> http() {
    Map<Integer, List<HttpService>> out = new TreeMap<>();
    http.forEach((port, services) -> out.put(port, List.copyOf(services.values())));
    return out;
  }

  /** The TCP services by port. */
  Map<Integer, TcpService> tcp() {
    return tcp;
  }

  /** The clusters the services reach, by name. */
  Map<String, Cluster> clusters() {
    return clusters;
  }

  /** The HTTP ports of {@code service}. */
  Set<Integer> httpPorts(String service) {
    Set<Integer> ports = new TreeSet<>();
    http.forEach(
        (port, services) -> {
          if (services.containsKey(service)) {
            ports.add(port);
          }
        });
    return ports;
  }

  /** {@code service}'s routes on {@code port}. */
  List<Route> routes(String service, int port) {
    HttpService found = http.getOrDefault(port, Map.of()).get(service);
    return found == null ? List.of() : found.routes();
  }

  private void addHttp(Resource service, int port, List<Route> routes) {
    if (tcp.containsKey(port)) {
      throw conflict(port, service.name(), tcp.get(port).service());
    }
    http.computeIfAbsent(port, p -> new TreeMap<>())
        .putIfAbsent(service.name(), new HttpService(service.name(), port, routes));
  }

  private void addTcp(Resource service, int port, TcpProxy.Builder proxy, Optional<Duration> idle) {
    if (http.containsKey(port)) {
      throw conflict(port, service.name(), http.get(port).keySet().iterator().next());
    }
    TcpService existing = tcp.get(port);
    if (existing != null && !existing.service().equals(service.name())) {
      throw conflict(port, service.name(), existing.service());
    }
    tcp.putIfAbsent(port, new TcpService(service.name(), proxy, idle));
  }

  /**
   * Two backends Envoy could not tell apart: the egress listener chooses a TCP backend by the port
   * the application connects to, so a TCP port can serve one virtual service only.
   */
  private RuntimeException conflict(int port, String service, String other) {
    return Spec.fail(
        client,
        "spec.backends",
        "virtual services "
            + other
            + " and "
            + service
            + " are both reached on port "
            + port
            + ", and at least one of them over TCP: the egress listener tells TCP backends apart"
            + " by port only");
  }

  private Resource find(Kind kind, String name, Resource referrer, String path) {
    return mesh.index()
        .find(kind, mesh.name(), name)
        .orElseThrow(
            () -> Spec.fail(referrer, path, "no " + kind.wrapper() + " " + name + " in the mesh"));
  }

  private static PortListener listener(
      Resource node, Optional<Integer> port, Resource referrer, String path) {
    List<PortListener> listeners = PortListener.of(node);
    if (port.isPresent()) {
      return listeners.stream()
          .filter(l -> l.port() == port.get())
          .findFirst()
          .orElseThrow(
              () ->
                  Spec.fail(
                      referrer,
                      path + ".port",
                      "virtual node " + node.name() + " has no listener on port " + port.get()));
    }
    if (listeners.size() != 1) {
      throw Spec.fail(
          referrer,
          path,
          "virtual node "
              + node.name()
              + " has "
              + listeners.size()
              + " listeners: the target needs a port");
    }
    return listeners.get(0);
  }

  /**
   * The cluster of {@code target}, with the TLS {@code policy} asks for on its port: a policy that
   * applies (no {@code ports}, or the port among them) and is enforced (the default) makes the
   * client speak TLS with the policy's validation and certificate; one that is not enforced does so
   * only when the server terminates TLS. Without a policy, a server that terminates TLS ({@code
   * STRICT} or {@code PERMISSIVE}) is spoken TLS to, unvalidated (the user guide's rules for file
   * certificates).
   */
  private String cluster(PortListener target, Optional<ClientPolicy> policy) {
    String name =
        Names.egressCluster(mesh.name(), target.owner().name(), target.protocol(), target.port());
    Optional<ClientPolicy> applying = policy.filter(p -> applies(p, target.port()));
    String key = applying.map(p -> tls(p).toString()).orElse("");
    String previous = clusterPolicies.putIfAbsent(name, key);
    if (previous != null && !previous.equals(key)) {
      throw Spec.fail(
          client,
          applying.map(ClientPolicy::path).orElse("spec.backends"),
          "cluster "
              + name
              + " is reached with two different TLS client policies ("
              + clusterPolicyOwners.get(name)
              + " and this one); Envoy has one cluster per virtual node listener");
    }
    clusterPolicyOwners.putIfAbsent(name, applying.map(ClientPolicy::path).orElse("no policy"));
    clusters.computeIfAbsent(
        name, n -> Clusters.egress(n, target, mesh.preference(), transport(target, applying)));
    return name;
  }

  private Optional<TransportSocket> transport(PortListener target, Optional<ClientPolicy> policy) {
    String hostname = Clusters.hostname(target).orElse("");
    boolean serverTls = target.tls().isPresent();
    if (policy.isPresent()) {
      JsonObject tls = tls(policy.get());
      boolean enforce = Spec.bool(tls, "enforce").orElse(true);
      if (enforce || serverTls) {
        return Optional.of(
            Tls.socket(
                Tls.client(policy.get().owner(), tls, hostname, policy.get().path() + ".tls")));
      }
    }
    return serverTls ? Optional.of(Tls.socket(Tls.unvalidated(hostname))) : Optional.empty();
  }

  private static JsonObject tls(ClientPolicy policy) {
    return Spec.object(policy.policy(), "tls").orElse(new JsonObject());
  }

  private static boolean applies(ClientPolicy policy, int port) {
    Optional<JsonObject> tls = Spec.object(policy.policy(), "tls");
    if (tls.isEmpty()) {
      return false;
    }
    List<Long> ports = Spec.numbers(tls.get(), "ports");
    return ports.isEmpty() || ports.contains((long) port);
  }

  /** The client policy of backend {@code backend} of a node: its own, else the node's default. */
  static Optional<ClientPolicy> policy(Resource node, JsonObject backend, String path) {
    Optional<JsonObject> own = Spec.object(backend, "clientPolicy");
    if (own.isPresent()) {
      return Optional.of(new ClientPolicy(node, own.get(), path + ".clientPolicy"));
    }
    return Spec.object(node.spec(), "backendDefaults")
        .flatMap(defaults -> Spec.object(defaults, "clientPolicy"))
        .map(p -> new ClientPolicy(node, p, "spec.backendDefaults.clientPolicy"));
  }
}
