package dev.meshboot.mesh.load;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What meshboot does with each member of each shape the seven spec shapes of the App Mesh API
 * reach: supported (the translation turns it into what App Mesh configured in Envoy) or refused,
 * with why and what to use instead. A refused member in a definition is an error with that message;
 * nothing is silently ignored. {@code SupportTest} proves against the API model that bin/test
 * installs that every member is listed here.
 */
public final class Support {

  /** Whether a member is served. */
  public enum Status {
    SUPPORTED,
    REFUSED
  }

  /**
   * One member of one shape.
   *
   * @param shape the API model's structure, e.g. {@code ServiceDiscovery}
   * @param member its member, e.g. {@code awsCloudMap}
   * @param reason for a refused member: why, and what to use instead; empty when supported
   */
  public record Entry(String shape, String member, Status status, String reason) {}

  private static final String ACM =
      "ACM certificates need AWS Certificate Manager, which a mesh without AWS cannot reach;"
          + " use a file or sds certificate";
  private static final String ACM_TRUST =
      "ACM Private CA trust needs AWS Certificate Manager, which a mesh without AWS cannot reach;"
          + " use file or sds trust (the CA's certificate chain)";
  private static final String CLOUD_MAP =
      "AWS Cloud Map service discovery needs AWS, which a mesh without AWS cannot reach;"
          + " use dns (a hostname that resolves to the node's instances)";

  private static final Map<String, Entry> TABLE =
      new Table()
          .supported("MeshSpec", "egressFilter", "serviceDiscovery")
          .supported("EgressFilter", "type")
          .supported("MeshServiceDiscovery", "ipPreference")
          .supported(
              "VirtualNodeSpec",
              "backendDefaults",
              "backends",
              "listeners",
              "logging",
              "serviceDiscovery")
          .supported("BackendDefaults", "clientPolicy")
          .supported("ClientPolicy", "tls")
          .supported("ClientPolicyTls", "certificate", "enforce", "ports", "validation")
          .supported("ClientTlsCertificate", "file", "sds")
          .supported("ListenerTlsFileCertificate", "certificateChain", "privateKey")
          .supported("ListenerTlsSdsCertificate", "secretName")
          .supported("TlsValidationContext", "subjectAlternativeNames", "trust")
          .supported("SubjectAlternativeNames", "match")
          .supported("SubjectAlternativeNameMatchers", "exact")
          .supported("TlsValidationContextTrust", "file", "sds")
          .refused("TlsValidationContextTrust", "acm", ACM_TRUST)
          .inside(
              "TlsValidationContextTrust.acm",
              "TlsValidationContextAcmTrust",
              "certificateAuthorityArns")
          .supported("TlsValidationContextFileTrust", "certificateChain")
          .supported("TlsValidationContextSdsTrust", "secretName")
          .supported("Backend", "virtualService")
          .supported("VirtualServiceBackend", "clientPolicy", "virtualServiceName")
          .supported(
              "Listener",
              "connectionPool",
              "healthCheck",
              "outlierDetection",
              "portMapping",
              "timeout",
              "tls")
          .supported("VirtualNodeConnectionPool", "grpc", "http", "http2", "tcp")
          .supported("VirtualNodeGrpcConnectionPool", "maxRequests")
          .supported("VirtualNodeHttpConnectionPool", "maxConnections", "maxPendingRequests")
          .supported("VirtualNodeHttp2ConnectionPool", "maxRequests")
          .supported("VirtualNodeTcpConnectionPool", "maxConnections")
          .supported(
              "HealthCheckPolicy",
              "healthyThreshold",
              "intervalMillis",
              "path",
              "port",
              "protocol",
              "timeoutMillis",
              "unhealthyThreshold")
          .supported(
              "OutlierDetection",
              "baseEjectionDuration",
              "interval",
              "maxEjectionPercent",
              "maxServerErrors")
          .supported("Duration", "unit", "value")
          .supported("PortMapping", "port", "protocol")
          .supported("ListenerTimeout", "grpc", "http", "http2", "tcp")
          .supported("GrpcTimeout", "idle", "perRequest")
          .supported("HttpTimeout", "idle", "perRequest")
          .supported("TcpTimeout", "idle")
          .supported("ListenerTls", "certificate", "mode", "validation")
          .supported("ListenerTlsCertificate", "file", "sds")
          .refused("ListenerTlsCertificate", "acm", ACM)
          .inside("ListenerTlsCertificate.acm", "ListenerTlsAcmCertificate", "certificateArn")
          .supported("ListenerTlsValidationContext", "subjectAlternativeNames", "trust")
          .supported("ListenerTlsValidationContextTrust", "file", "sds")
          .supported("Logging", "accessLog")
          .supported("AccessLog", "file")
          .supported("FileAccessLog", "format", "path")
          .supported("LoggingFormat", "json", "text")
          .supported("JsonFormatRef", "key", "value")
          .supported("ServiceDiscovery", "dns")
          .refused("ServiceDiscovery", "awsCloudMap", CLOUD_MAP)
          .inside(
              "ServiceDiscovery.awsCloudMap",
              "AwsCloudMapServiceDiscovery",
              "attributes",
              "ipPreference",
              "namespaceName",
              "serviceName")
          .inside("ServiceDiscovery.awsCloudMap", "AwsCloudMapInstanceAttribute", "key", "value")
          .supported("DnsServiceDiscovery", "hostname", "ipPreference", "responseType")
          .supported("VirtualServiceSpec", "provider")
          .supported("VirtualServiceProvider", "virtualNode", "virtualRouter")
          .supported("VirtualNodeServiceProvider", "virtualNodeName")
          .supported("VirtualRouterServiceProvider", "virtualRouterName")
          .supported("VirtualRouterSpec", "listeners")
          .supported("VirtualRouterListener", "portMapping")
          .supported("RouteSpec", "grpcRoute", "http2Route", "httpRoute", "priority", "tcpRoute")
          .supported("GrpcRoute", "action", "match", "retryPolicy", "timeout")
          .supported("GrpcRouteAction", "weightedTargets")
          .supported("WeightedTarget", "port", "virtualNode", "weight")
          .supported("GrpcRouteMatch", "metadata", "methodName", "port", "serviceName")
          .supported("GrpcRouteMetadata", "invert", "match", "name")
          .supported("GrpcRouteMetadataMatchMethod", "exact", "prefix", "range", "regex", "suffix")
          .supported("MatchRange", "end", "start")
          .supported(
              "GrpcRetryPolicy",
              "grpcRetryEvents",
              "httpRetryEvents",
              "maxRetries",
              "perRetryTimeout",
              "tcpRetryEvents")
          .supported("HttpRoute", "action", "match", "retryPolicy", "timeout")
          .supported("HttpRouteAction", "weightedTargets")
          .supported(
              "HttpRouteMatch",
              "headers",
              "method",
              "path",
              "port",
              "prefix",
              "queryParameters",
              "scheme")
          .supported("HttpRouteHeader", "invert", "match", "name")
          .supported("HeaderMatchMethod", "exact", "prefix", "range", "regex", "suffix")
          .supported("HttpPathMatch", "exact", "regex")
          .supported("HttpQueryParameter", "match", "name")
          .supported("QueryParameterMatch", "exact")
          .supported(
              "HttpRetryPolicy",
              "httpRetryEvents",
              "maxRetries",
              "perRetryTimeout",
              "tcpRetryEvents")
          .supported("TcpRoute", "action", "match", "timeout")
          .supported("TcpRouteAction", "weightedTargets")
          .supported("TcpRouteMatch", "port")
          .supported("VirtualGatewaySpec", "backendDefaults", "listeners", "logging")
          .supported("VirtualGatewayBackendDefaults", "clientPolicy")
          .supported("VirtualGatewayClientPolicy", "tls")
          .supported(
              "VirtualGatewayClientPolicyTls", "certificate", "enforce", "ports", "validation")
          .supported("VirtualGatewayClientTlsCertificate", "file", "sds")
          .supported("VirtualGatewayListenerTlsFileCertificate", "certificateChain", "privateKey")
          .supported("VirtualGatewayListenerTlsSdsCertificate", "secretName")
          .supported("VirtualGatewayTlsValidationContext", "subjectAlternativeNames", "trust")
          .supported("VirtualGatewayTlsValidationContextTrust", "file", "sds")
          .refused("VirtualGatewayTlsValidationContextTrust", "acm", ACM_TRUST)
          .inside(
              "VirtualGatewayTlsValidationContextTrust.acm",
              "VirtualGatewayTlsValidationContextAcmTrust",
              "certificateAuthorityArns")
          .supported("VirtualGatewayTlsValidationContextFileTrust", "certificateChain")
          .supported("VirtualGatewayTlsValidationContextSdsTrust", "secretName")
          .supported(
              "VirtualGatewayListener", "connectionPool", "healthCheck", "portMapping", "tls")
          .supported("VirtualGatewayConnectionPool", "grpc", "http", "http2")
          .supported("VirtualGatewayGrpcConnectionPool", "maxRequests")
          .supported("VirtualGatewayHttpConnectionPool", "maxConnections", "maxPendingRequests")
          .supported("VirtualGatewayHttp2ConnectionPool", "maxRequests")
          .supported(
              "VirtualGatewayHealthCheckPolicy",
              "healthyThreshold",
              "intervalMillis",
              "path",
              "port",
              "protocol",
              "timeoutMillis",
              "unhealthyThreshold")
          .supported("VirtualGatewayPortMapping", "port", "protocol")
          .supported("VirtualGatewayListenerTls", "certificate", "mode", "validation")
          .supported("VirtualGatewayListenerTlsCertificate", "file", "sds")
          .refused("VirtualGatewayListenerTlsCertificate", "acm", ACM)
          .inside(
              "VirtualGatewayListenerTlsCertificate.acm",
              "VirtualGatewayListenerTlsAcmCertificate",
              "certificateArn")
          .supported(
              "VirtualGatewayListenerTlsValidationContext", "subjectAlternativeNames", "trust")
          .supported("VirtualGatewayListenerTlsValidationContextTrust", "file", "sds")
          .supported("VirtualGatewayLogging", "accessLog")
          .supported("VirtualGatewayAccessLog", "file")
          .supported("VirtualGatewayFileAccessLog", "format", "path")
          .supported("GatewayRouteSpec", "grpcRoute", "http2Route", "httpRoute", "priority")
          .supported("GrpcGatewayRoute", "action", "match")
          .supported("GrpcGatewayRouteAction", "rewrite", "target")
          .supported("GrpcGatewayRouteRewrite", "hostname")
          .supported("GatewayRouteHostnameRewrite", "defaultTargetHostname")
          .supported("GatewayRouteTarget", "port", "virtualService")
          .supported("GatewayRouteVirtualService", "virtualServiceName")
          .supported("GrpcGatewayRouteMatch", "hostname", "metadata", "port", "serviceName")
          .supported("GatewayRouteHostnameMatch", "exact", "suffix")
          .supported("GrpcGatewayRouteMetadata", "invert", "match", "name")
          .supported("GrpcMetadataMatchMethod", "exact", "prefix", "range", "regex", "suffix")
          .supported("HttpGatewayRoute", "action", "match")
          .supported("HttpGatewayRouteAction", "rewrite", "target")
          .supported("HttpGatewayRouteRewrite", "hostname", "path", "prefix")
          .supported("HttpGatewayRoutePathRewrite", "exact")
          .supported("HttpGatewayRoutePrefixRewrite", "defaultPrefix", "value")
          .supported(
              "HttpGatewayRouteMatch",
              "headers",
              "hostname",
              "method",
              "path",
              "port",
              "prefix",
              "queryParameters")
          .supported("HttpGatewayRouteHeader", "invert", "match", "name")
          .entries;

  private Support() {}

  /** The entry of {@code member} of structure {@code shape}, if the table has one. */
  public static Optional<Entry> of(String shape, String member) {
    return Optional.ofNullable(TABLE.get(shape + "." + member));
  }

  /** Every entry, in the order of the spec shapes. */
  public static Collection<Entry> entries() {
    return TABLE.values();
  }

  private static final class Table {
    final Map<String, Entry> entries = new LinkedHashMap<>();

    Table supported(String shape, String... members) {
      for (String member : members) {
        add(new Entry(shape, member, Status.SUPPORTED, ""));
      }
      return this;
    }

    Table refused(String shape, String member, String reason) {
      return add(new Entry(shape, member, Status.REFUSED, reason));
    }

    /** Members of a shape reached only through a refused member: refused with it. */
    Table inside(String refused, String shape, String... members) {
      Entry outer = entries.get(refused);
      if (outer == null) {
        throw new IllegalStateException("list " + refused + " before what is inside it");
      }
      for (String member : members) {
        add(new Entry(shape, member, Status.REFUSED, "part of " + refused + ": " + outer.reason()));
      }
      return this;
    }

    private Table add(Entry entry) {
      if (entries.put(entry.shape() + "." + entry.member(), entry) != null) {
        throw new IllegalStateException("listed twice: " + entry);
      }
      return this;
    }
  }
}
