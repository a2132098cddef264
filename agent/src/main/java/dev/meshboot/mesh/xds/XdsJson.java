package dev.meshboot.mesh.xds;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.meshboot.mesh.NodeResources;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.health_check.v3.HealthCheck;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;

/**
 * A node's resources as one JSON document ({@code listeners}, {@code clusters}, {@code routes},
 * {@code endpoints}, {@code secrets}), in the proto files' field names: what golden files hold and
 * what a person reads to see what a node gets.
 */
public final class XdsJson {

  /** Exactly the types the translation packs into {@code Any} fields. */
  public static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(
              List.of(
                  HttpConnectionManager.getDescriptor(),
                  Router.getDescriptor(),
                  HealthCheck.getDescriptor(),
                  TcpProxy.getDescriptor(),
                  OriginalDst.getDescriptor(),
                  TlsInspector.getDescriptor(),
                  FileAccessLog.getDescriptor(),
                  UpstreamTlsContext.getDescriptor(),
                  DownstreamTlsContext.getDescriptor(),
                  HttpProtocolOptions.getDescriptor(),
                  PreviousHostsPredicate.getDescriptor()))
          .build();

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames().sortingMapKeys();

  private XdsJson() {}

  /** {@code resources} as pretty-printed JSON, ending with a newline. */
  public static String print(NodeResources resources) {
    JsonObject document = new JsonObject();
    document.add("listeners", array(resources.listeners()));
    document.add("clusters", array(resources.clusters()));
    document.add("routes", array(resources.routes()));
    document.add("endpoints", array(resources.endpoints()));
    document.add("secrets", array(resources.secrets()));
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(document)
        + "\n";
  }

  private static JsonArray array(List<? extends Message> messages) {
    JsonArray array = new JsonArray();
    for (Message message : messages) {
      try {
        array.add(JsonParser.parseString(PRINTER.print(message)));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("an Any of a type outside XdsJson.TYPES", e);
      }
    }
    return array;
  }
}
