package dev.meshboot.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.meshboot.bootstrap.InvalidBootstrapException;
import dev.meshboot.io.Addresses;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where the bootstrap Envoy runs points its ADS stream: at meshboot's relay or not. The written
 * bootstrap is the single source of truth for {@code meshboot run}: the relay starts (and
 * credentials are looked for) only when Envoy's ADS names the relay's cluster, and the relay
 * forwards where that cluster's {@code filter_metadata["meshboot.xds_relay"]} says, whoever wrote
 * the file (the renderer, or the user as {@code ENVOY_CONFIG_FILE}).
 *
 * @param socket the relay's unix socket (the cluster's pipe)
 * @param host the management endpoint's host
 * @param port its port
 * @param tls whether the relay connects with TLS
 * @param region the region that signs the stream; empty: relayed unsigned
 * @param signingName the SigV4 service name
 * @param caFile the CA the management endpoint's certificate is checked against; empty: the one
 *     {@code MESHBOOT_XDS_CA_FILE} names where {@code meshboot run} runs, else the JDK's CAs
 */
record RelayTarget(
    Path socket,
    String host,
    int port,
    boolean tls,
    Optional<String> region,
    String signingName,
    Optional<Path> caFile) {

  static final String CLUSTER = "meshboot_xds_relay";

  /**
   * The relay the bootstrap in {@code file} uses; empty when its ADS does not go to the relay's
   * cluster (a static configuration, a direct connection).
   *
   * @throws dev.meshboot.config.ConfigException when the file cannot be read
   * @throws InvalidBootstrapException when it names the relay's cluster without saying where it
   *     forwards
   */
  static Optional<RelayTarget> of(Path file) {
    return WrittenBootstrap.read(file).relay();
  }

  static Optional<RelayTarget> of(JsonObject bootstrap, Path file) {
    JsonObject ads = object(object(bootstrap, "dynamic_resources"), "ads_config");
    boolean toRelay = false;
    JsonElement services = field(ads, "grpc_services");
    if (services != null && services.isJsonArray()) {
      for (JsonElement service : services.getAsJsonArray()) {
        JsonObject envoyGrpc =
            service.isJsonObject() ? object(service.getAsJsonObject(), "envoy_grpc") : null;
        JsonElement cluster = field(envoyGrpc, "cluster_name");
        toRelay |= cluster != null && CLUSTER.equals(text(cluster));
      }
    }
    if (!toRelay) {
      return Optional.empty();
    }
    JsonObject cluster = relayCluster(bootstrap);
    JsonObject metadata =
        object(object(object(cluster, "metadata"), "filter_metadata"), "meshboot.xds_relay");
    String upstream = text(field(metadata, "upstream"));
    String pipe = text(field(pipe(cluster), "path"));
    int colon = upstream == null ? -1 : upstream.lastIndexOf(':');
    if (upstream == null || pipe == null || colon <= 0) {
      throw new InvalidBootstrapException(
          "the bootstrap "
              + file
              + " sends ADS to the cluster "
              + CLUSTER
              + ", but that cluster has no unix socket or no filter_metadata"
              + " meshboot.xds_relay.upstream (host:port) saying where the relay forwards");
    }
    String host = upstream.substring(0, colon);
    if (host.startsWith("[")
        && host.endsWith("]")
        && Addresses.isIpv6(host.substring(1, host.length() - 1))) {
      host = host.substring(1, host.length() - 1);
    }
    int port = -1;
    try {
      port = Integer.parseInt(upstream.substring(colon + 1));
    } catch (NumberFormatException e) {
      // reported below
    }
    if (port < 1 || port > 65535) {
      throw new InvalidBootstrapException(
          "the bootstrap " + file + ": meshboot.xds_relay.upstream is not host:port: " + upstream);
    }
    JsonElement tls = field(metadata, "tls");
    String signingName = text(field(metadata, "signing_name"));
    return Optional.of(
        new RelayTarget(
            Path.of(pipe),
            host,
            port,
            tls == null || !"false".equals(text(tls)),
            Optional.ofNullable(text(field(metadata, "region"))),
            signingName == null ? "appmesh" : signingName,
            Optional.ofNullable(text(field(metadata, "ca_file"))).map(Path::of)));
  }

  private static @Nullable JsonObject relayCluster(JsonObject bootstrap) {
    JsonElement clusters = field(object(bootstrap, "static_resources"), "clusters");
    if (clusters != null && clusters.isJsonArray()) {
      for (JsonElement cluster : clusters.getAsJsonArray()) {
        if (cluster.isJsonObject()
            && CLUSTER.equals(text(field(cluster.getAsJsonObject(), "name")))) {
          return cluster.getAsJsonObject();
        }
      }
    }
    return null;
  }

  /** {@code load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.pipe}. */
  private static @Nullable JsonObject pipe(@Nullable JsonObject cluster) {
    JsonObject assignment = object(cluster, "load_assignment");
    JsonObject locality = first(field(assignment, "endpoints"));
    JsonObject endpoint = object(first(field(locality, "lb_endpoints")), "endpoint");
    return object(object(endpoint, "address"), "pipe");
  }

  private static @Nullable JsonObject first(@Nullable JsonElement array) {
    if (array != null && array.isJsonArray() && !array.getAsJsonArray().isEmpty()) {
      JsonElement first = array.getAsJsonArray().get(0);
      return first.isJsonObject() ? first.getAsJsonObject() : null;
    }
    return null;
  }

  static @Nullable JsonObject object(@Nullable JsonObject parent, String name) {
    JsonElement value = field(parent, name);
    return value != null && value.isJsonObject() ? value.getAsJsonObject() : null;
  }

  /** A field by its proto name or its JSON (lowerCamelCase) name: a user's file may use either. */
  static @Nullable JsonElement field(@Nullable JsonObject parent, String protoName) {
    if (parent == null) {
      return null;
    }
    JsonElement value = parent.get(protoName);
    return value != null ? value : parent.get(camel(protoName));
  }

  private static String camel(String protoName) {
    StringBuilder out = new StringBuilder();
    boolean upper = false;
    for (int i = 0; i < protoName.length(); i++) {
      char c = protoName.charAt(i);
      if (c == '_') {
        upper = true;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }

  private static @Nullable String text(@Nullable JsonElement value) {
    return value != null && value.isJsonPrimitive() ? value.getAsString() : null;
  }
}
