package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshboot.mesh.Resource;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.PathWithEscapedSlashesAction;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.Tracing;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.UpgradeConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.type.v3.Int32Range;
import java.util.List;
import java.util.Optional;

/**
 * The filters App Mesh put on its listeners: the HTTP connection manager (stat prefix, route
 * configuration over ADS, websocket upgrades, path normalization, tracing, access logs, the
 * router), the TCP proxy, and the listener filters (original destination, TLS inspector).
 */
final class Filters {

  static final String HTTP_CONNECTION_MANAGER = "envoy.filters.network.http_connection_manager";
  static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  static final String ROUTER = "envoy.filters.http.router";

  private Filters() {}

  /** Configuration delivered over the same ADS stream as everything else. */
  static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  /**
   * The HTTP connection manager App Mesh configured (config dumps of 2021-2022): route
   * configuration {@code routes} over ADS, tracing on (a tracer in the bootstrap takes it),
   * websocket upgrades, {@code normalize_path} and {@code merge_slashes} with escaped slashes kept,
   * then the router.
   */
  static HttpConnectionManager.Builder httpManager(
      String statPrefix, String routes, List<AccessLog> accessLogs) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setRds(Rds.newBuilder().setConfigSource(ads()).setRouteConfigName(routes))
        .setTracing(Tracing.getDefaultInstance())
        .addAllAccessLog(accessLogs)
        .addUpgradeConfigs(UpgradeConfig.newBuilder().setUpgradeType("websocket"))
        .setNormalizePath(com.google.protobuf.BoolValue.of(true))
        .setMergeSlashes(true)
        .setPathWithEscapedSlashesAction(PathWithEscapedSlashesAction.KEEP_UNCHANGED);
  }

  /** {@code manager} with the router as its last HTTP filter, as a network filter. */
  static Filter network(HttpConnectionManager.Builder manager) {
    manager.addHttpFilters(
        HttpFilter.newBuilder()
            .setName(ROUTER)
            .setTypedConfig(Any.pack(Router.getDefaultInstance())));
    return Filter.newBuilder()
        .setName(HTTP_CONNECTION_MANAGER)
        .setTypedConfig(Any.pack(manager.build()))
        .build();
  }

  /** A TCP proxy to {@code proxy}'s destination with stat prefix, idle timeout and access logs. */
  static Filter tcpProxy(
      TcpProxy.Builder proxy,
      String statPrefix,
      Optional<Duration> idle,
      List<AccessLog> accessLogs) {
    proxy.setStatPrefix(statPrefix).addAllAccessLog(accessLogs);
    idle.ifPresent(proxy::setIdleTimeout);
    return Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Any.pack(proxy.build())).build();
  }

  /**
   * The original destination listener filter: traffic iptables redirected to 15000/15001 is matched
   * by the port it was sent to.
   */
  static ListenerFilter originalDestination() {
    return ListenerFilter.newBuilder()
        .setName("envoy.filters.listener.original_dst")
        .setTypedConfig(Any.pack(OriginalDst.getDefaultInstance()))
        .build();
  }

  /**
   * The TLS inspector, only for connections to {@code ports}: it waits for the client's first
   * bytes, which a server-first protocol (MySQL, SMTP) never sends, so on other ports it stays out
   * of the way (App Mesh ran it on every connection: roadmap#62).
   */
  static ListenerFilter tlsInspector(List<Integer> ports) {
    ListenerFilter.Builder filter =
        ListenerFilter.newBuilder()
            .setName("envoy.filters.listener.tls_inspector")
            .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance()));
    List<ListenerFilterChainMatchPredicate> inspected =
        ports.stream()
            .sorted()
            .distinct()
            .map(
                port ->
                    ListenerFilterChainMatchPredicate.newBuilder()
                        .setDestinationPortRange(
                            Int32Range.newBuilder().setStart(port).setEnd(port + 1))
                        .build())
            .toList();
    ListenerFilterChainMatchPredicate any =
        inspected.size() == 1
            ? inspected.get(0)
            : ListenerFilterChainMatchPredicate.newBuilder()
                .setOrMatch(
                    ListenerFilterChainMatchPredicate.MatchSet.newBuilder().addAllRules(inspected))
                .build();
    return filter
        .setFilterDisabled(ListenerFilterChainMatchPredicate.newBuilder().setNotMatch(any))
        .build();
  }

  /**
   * The access log of a virtual node or gateway ({@code spec.logging.accessLog.file}): the path,
   * and the format as text or as JSON keys and values; Envoy's default format without one.
   */
  static List<AccessLog> accessLogs(Resource owner) {
    Optional<JsonObject> file =
        Spec.object(owner.spec(), "logging")
            .flatMap(logging -> Spec.object(logging, "accessLog"))
            .flatMap(accessLog -> Spec.object(accessLog, "file"));
    if (file.isEmpty()) {
      return List.of();
    }
    FileAccessLog.Builder log =
        FileAccessLog.newBuilder()
            .setPath(
                Spec.string(file.get(), "path")
                    .orElseThrow(
                        () ->
                            Spec.fail(
                                owner, "spec.logging.accessLog.file.path", "a path is required")));
    Spec.object(file.get(), "format")
        .ifPresent(
            format -> {
              Optional<String> text = Spec.string(format, "text");
              if (text.isPresent()) {
                log.setLogFormat(
                    SubstitutionFormatString.newBuilder()
                        .setTextFormatSource(DataSource.newBuilder().setInlineString(text.get())));
              } else {
                Struct.Builder json = Struct.newBuilder();
                for (JsonObject pair : Spec.objects(format, "json")) {
                  json.putFields(
                      Spec.string(pair, "key").orElse(""),
                      Value.newBuilder()
                          .setStringValue(Spec.string(pair, "value").orElse(""))
                          .build());
                }
                log.setLogFormat(SubstitutionFormatString.newBuilder().setJsonFormat(json));
              }
            });
    return List.of(
        AccessLog.newBuilder()
            .setName("envoy.access_loggers.file")
            .setTypedConfig(Any.pack(log.build()))
            .build());
  }
}
