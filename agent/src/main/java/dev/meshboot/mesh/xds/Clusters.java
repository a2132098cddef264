package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.CodecClientType;
import java.util.Optional;

/**
 * The clusters App Mesh configured: the local application's port ({@code cds_ingress_...}), other
 * virtual nodes' listeners ({@code cds_egress_...}), the original-destination clusters of the
 * egress filter, and a gateway's way back to its own egress listener.
 */
final class Clusters {

  /** App Mesh's circuit breaker values: every threshold at its maximum (envoy-defaults.md). */
  static final int UNLIMITED = Integer.MAX_VALUE;

  private Clusters() {}

  /**
   * The local application behind an ingress listener: static, on loopback, its circuit breakers
   * from the listener's connection pool (App Mesh's destination-side limits).
   */
  static Cluster ingress(String name, PortListener listener, IpPreference preference) {
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.STATIC)
            .setConnectTimeout(Spec.millis(250))
            .setCircuitBreakers(circuitBreakers(listener))
            .setLoadAssignment(
                endpoints(name, preference.local(), listener.port(), Optional.empty()));
    if (listener.http2()) {
      http2(cluster);
    }
    return cluster.build();
  }

  /**
   * Another virtual node's listener: resolved through the node's DNS name ({@code LOADBALANCER}:
   * one address at a time, Envoy's LOGICAL_DNS; {@code ENDPOINTS}: every address, STRICT_DNS),
   * health-checked and outlier-detected as the listener says, with {@code tls} when the client
   * speaks TLS to it. A node without DNS discovery has no endpoints.
   */
  static Cluster egress(
      String name,
      PortListener target,
      IpPreference meshPreference,
      Optional<TransportSocket> tls) {
    Resource node = target.owner();
    Optional<JsonObject> dns =
        Spec.object(node.spec(), "serviceDiscovery").flatMap(d -> Spec.object(d, "dns"));
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(name)
            .setConnectTimeout(Spec.seconds(1))
            .setCircuitBreakers(unlimited());
    if (dns.isEmpty()) {
      cluster
          .setType(Cluster.DiscoveryType.STATIC)
          .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(name));
    } else {
      String hostname = hostname(target).orElse("");
      cluster
          .setType(
              Spec.string(dns.get(), "responseType").orElse("LOADBALANCER").equals("ENDPOINTS")
                  ? Cluster.DiscoveryType.STRICT_DNS
                  : Cluster.DiscoveryType.LOGICAL_DNS)
          .setDnsLookupFamily(IpPreference.of(node, meshPreference).lookup())
          .setLoadAssignment(endpoints(name, hostname, target.port(), healthCheckPort(target)));
    }
    healthCheck(target).ifPresent(cluster::addHealthChecks);
    outlierDetection(target).ifPresent(cluster::setOutlierDetection);
    tls.ifPresent(cluster::setTransportSocket);
    if (target.http2()) {
      http2(cluster);
    }
    return cluster.build();
  }

  /** The DNS name of {@code target}'s node, if it is discovered by DNS. */
  static Optional<String> hostname(PortListener target) {
    return Spec.object(target.owner().spec(), "serviceDiscovery")
        .flatMap(d -> Spec.object(d, "dns"))
        .flatMap(d -> Spec.string(d, "hostname"));
  }

  /** A cluster that connects where the application meant to (iptables' original destination). */
  static Cluster originalDestination(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setConnectTimeout(Spec.seconds(1))
        .setCircuitBreakers(unlimited())
        .build();
  }

  /**
   * A virtual gateway's way from a listener back to its own egress listener on loopback (App Mesh's
   * self-redirect), with the listener's connection pool as circuit breakers.
   */
  static Cluster selfRedirect(String name, PortListener listener) {
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.STATIC)
            .setConnectTimeout(Spec.millis(250))
            .setCircuitBreakers(circuitBreakers(listener))
            .setLoadAssignment(endpoints(name, "127.0.0.1", Names.EGRESS_PORT, Optional.empty()));
    if (listener.http2()) {
      http2(cluster);
    }
    return cluster.build();
  }

  private static void http2(Cluster.Builder cluster) {
    cluster.putTypedExtensionProtocolOptions(
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        Any.pack(
            HttpProtocolOptions.newBuilder()
                .setExplicitHttpConfig(
                    HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                        .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                .build()));
  }

  private static ClusterLoadAssignment endpoints(
      String name, String address, int port, Optional<Integer> healthCheckPort) {
    Endpoint.Builder endpoint =
        Endpoint.newBuilder()
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder().setAddress(address).setPortValue(port)));
    healthCheckPort.ifPresent(
        p ->
            endpoint.setHealthCheckConfig(Endpoint.HealthCheckConfig.newBuilder().setPortValue(p)));
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(name)
        .addEndpoints(
            LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(endpoint)))
        .build();
  }

  private static CircuitBreakers unlimited() {
    return CircuitBreakers.newBuilder().addThresholds(thresholds()).build();
  }

  private static CircuitBreakers.Thresholds.Builder thresholds() {
    return CircuitBreakers.Thresholds.newBuilder()
        .setMaxConnections(UInt32Value.of(UNLIMITED))
        .setMaxPendingRequests(UInt32Value.of(UNLIMITED))
        .setMaxRequests(UInt32Value.of(UNLIMITED))
        .setMaxRetries(UInt32Value.of(UNLIMITED));
  }

  /**
   * {@code connectionPool.http} (maxConnections, maxPendingRequests), {@code .http2} / {@code
   * .grpc} (maxRequests) or {@code .tcp} (maxConnections) as circuit breaker thresholds; the rest
   * unlimited.
   */
  private static CircuitBreakers circuitBreakers(PortListener listener) {
    CircuitBreakers.Thresholds.Builder thresholds = thresholds();
    Spec.union(listener.spec(), "connectionPool")
        .ifPresent(
            pool -> {
              JsonObject limits = pool.value();
              Spec.number(limits, "maxConnections")
                  .ifPresent(n -> thresholds.setMaxConnections(uint32(n)));
              Spec.number(limits, "maxPendingRequests")
                  .ifPresent(n -> thresholds.setMaxPendingRequests(uint32(n)));
              Spec.number(limits, "maxRequests")
                  .ifPresent(n -> thresholds.setMaxRequests(uint32(n)));
            });
    return CircuitBreakers.newBuilder().addThresholds(thresholds).build();
  }

  private static Optional<Integer> healthCheckPort(PortListener target) {
    return Spec.object(target.spec(), "healthCheck")
        .flatMap(h -> Spec.number(h, "port"))
        .map(Long::intValue)
        .filter(port -> port != target.port());
  }

  /**
   * {@code healthCheck}: the callers of a listener check it actively, with its timing and
   * thresholds (HTTP and HTTP/2 on {@code path}, default {@code /}, Host the node's DNS name and
   * port; gRPC by the gRPC health checking protocol; TCP by connecting), as App Mesh configured its
   * callers' clusters (roadmap#105; {@code cluster.cds_egress_...health_check.*} stats).
   */
  private static Optional<HealthCheck> healthCheck(PortListener target) {
    Optional<JsonObject> spec = Spec.object(target.spec(), "healthCheck");
    if (spec.isEmpty()) {
      return Optional.empty();
    }
    JsonObject check = spec.get();
    String path = target.path() + ".healthCheck";
    HealthCheck.Builder health =
        HealthCheck.newBuilder()
            .setTimeout(Spec.millis(required(target, check, "timeoutMillis", path)))
            .setInterval(Spec.millis(required(target, check, "intervalMillis", path)))
            .setUnhealthyThreshold(uint32(required(target, check, "unhealthyThreshold", path)))
            .setHealthyThreshold(uint32(required(target, check, "healthyThreshold", path)));
    String authority = hostname(target).orElse("") + ":" + target.port();
    switch (Spec.string(check, "protocol").orElse(target.protocol())) {
      case "http", "http2" ->
          health.setHttpHealthCheck(
              HealthCheck.HttpHealthCheck.newBuilder()
                  .setHost(authority)
                  .setPath(Spec.string(check, "path").filter(p -> !p.isEmpty()).orElse("/"))
                  .setCodecClientType(
                      Spec.string(check, "protocol").orElse("").equals("http2")
                          ? CodecClientType.HTTP2
                          : CodecClientType.HTTP1));
      case "grpc" ->
          health.setGrpcHealthCheck(
              HealthCheck.GrpcHealthCheck.newBuilder().setAuthority(authority));
      default -> health.setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance());
    }
    return Optional.of(health.build());
  }

  /**
   * {@code outlierDetection}: ejection after {@code maxServerErrors} consecutive 5xx, for {@code
   * baseEjectionDuration}, analysed every {@code interval}, at most {@code maxEjectionPercent} of
   * the hosts but at least one (the API's documented behaviour); Envoy's success-rate ejection,
   * which App Mesh's API does not describe, off.
   */
  private static Optional<OutlierDetection> outlierDetection(PortListener target) {
    Optional<JsonObject> spec = Spec.object(target.spec(), "outlierDetection");
    if (spec.isEmpty()) {
      return Optional.empty();
    }
    JsonObject outlier = spec.get();
    String path = target.path() + ".outlierDetection";
    Resource owner = target.owner();
    com.google.protobuf.Duration interval =
        positive(owner, Spec.duration(owner, outlier, "interval", path), path + ".interval");
    com.google.protobuf.Duration ejection =
        positive(
            owner,
            Spec.duration(owner, outlier, "baseEjectionDuration", path),
            path + ".baseEjectionDuration");
    return Optional.of(
        OutlierDetection.newBuilder()
            .setConsecutive5Xx(uint32(required(target, outlier, "maxServerErrors", path)))
            .setInterval(interval)
            .setBaseEjectionTime(ejection)
            .setMaxEjectionPercent(uint32(required(target, outlier, "maxEjectionPercent", path)))
            .setAlwaysEjectOneHost(BoolValue.of(true))
            .setEnforcingSuccessRate(UInt32Value.of(0))
            .build());
  }

  private static com.google.protobuf.Duration positive(
      Resource owner, Optional<com.google.protobuf.Duration> duration, String path) {
    com.google.protobuf.Duration value =
        duration.orElseThrow(() -> Spec.fail(owner, path, "a duration is required"));
    if (value.getSeconds() == 0 && value.getNanos() == 0) {
      throw Spec.fail(owner, path, "must be longer than 0 (Envoy rejects 0)");
    }
    return value;
  }

  private static long required(PortListener target, JsonObject parent, String member, String path) {
    return Spec.number(parent, member)
        .orElseThrow(() -> Spec.fail(target.owner(), path + "." + member, "required"));
  }

  private static UInt32Value uint32(long value) {
    return UInt32Value.of((int) Math.min(value, 0xFFFF_FFFFL));
  }
}
