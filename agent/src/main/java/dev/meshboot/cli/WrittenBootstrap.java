package dev.meshboot.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.meshboot.bootstrap.YamlTrees;
import dev.meshboot.config.InputFiles;
import dev.meshboot.io.Addresses;
import dev.meshboot.io.SocketEndpoint;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the bootstrap Envoy runs says about the run around it; {@code meshboot run} reads it once
 * written (by the renderer, or the user's {@code ENVOY_CONFIG_FILE} validated into it) rather than
 * deciding again from the environment.
 *
 * @param relay where meshboot's relay forwards, when Envoy's ADS goes to it
 * @param mesh the definition meshboot serves Envoy itself, when its ADS goes to the embedded
 *     control plane
 * @param envoySigns whether Envoy signs its own ADS stream ({@code envoy.grpc_credentials.aws_iam},
 *     Envoy 1.34 and older): only then does Envoy need AWS credentials in its environment
 * @param listenersFromXds whether listeners come from xDS ({@code lds_config}): readiness then
 *     waits for them
 * @param clustersFromXds whether clusters come from xDS ({@code cds_config})
 * @param admin where Envoy's admin listens: a user's whole bootstrap may put it elsewhere than the
 *     admin variables say; empty without an admin, or one that is no IP literal or pipe
 * @param adminReusesPort whether the admin's socket sets SO_REUSEPORT (the metrics listener shares
 *     its port): then nothing else may hold the admin's address, or the kernel would share it
 */
record WrittenBootstrap(
    Optional<RelayTarget> relay,
    Optional<MeshTarget> mesh,
    boolean envoySigns,
    boolean listenersFromXds,
    boolean clustersFromXds,
    Optional<SocketEndpoint> admin,
    boolean adminReusesPort) {

  private static final long SOL_SOCKET = 1;
  private static final long SO_REUSEPORT = 15;

  static WrittenBootstrap read(Path file) {
    String text = InputFiles.read(file, "MESHBOOT_BOOTSTRAP_PATH", InputFiles.CONFIG_LIMIT);
    JsonElement tree;
    try {
      tree = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      tree = YamlTrees.parse(text, file.toString()); // a .yaml bootstrap
    }
    JsonObject bootstrap = tree.isJsonObject() ? tree.getAsJsonObject() : new JsonObject();
    JsonObject dynamic = RelayTarget.object(bootstrap, "dynamic_resources");
    JsonObject ads = RelayTarget.object(dynamic, "ads_config");
    return new WrittenBootstrap(
        RelayTarget.of(bootstrap, file),
        MeshTarget.of(bootstrap, file),
        ads != null && ads.toString().contains("envoy.grpc_credentials.aws_iam"),
        RelayTarget.field(dynamic, "lds_config") != null
            || RelayTarget.field(dynamic, "lds_resources_locator") != null,
        RelayTarget.field(dynamic, "cds_config") != null
            || RelayTarget.field(dynamic, "cds_resources_locator") != null,
        admin(RelayTarget.object(RelayTarget.object(bootstrap, "admin"), "address")),
        reusesPort(RelayTarget.field(RelayTarget.object(bootstrap, "admin"), "socket_options")));
  }

  private static boolean reusesPort(@Nullable JsonElement options) {
    if (options == null || !options.isJsonArray()) {
      return false;
    }
    for (JsonElement option : options.getAsJsonArray()) {
      try {
        JsonObject fields = option.getAsJsonObject();
        if (fields.get("level").getAsLong() == SOL_SOCKET
            && fields.get("name").getAsLong() == SO_REUSEPORT
            && fields.get("int_value").getAsLong() != 0) {
          return true;
        }
      } catch (RuntimeException e) {
        // another kind of option
      }
    }
    return false;
  }

  private static Optional<SocketEndpoint> admin(@Nullable JsonObject address) {
    JsonObject pipe = RelayTarget.object(address, "pipe");
    JsonElement path = RelayTarget.field(pipe, "path");
    if (path != null && path.isJsonPrimitive()) {
      return Optional.of(new SocketEndpoint.Unix(Path.of(path.getAsString())));
    }
    JsonObject socket = RelayTarget.object(address, "socket_address");
    JsonElement ip = RelayTarget.field(socket, "address");
    JsonElement port = RelayTarget.field(socket, "port_value");
    try {
      if (ip != null && port != null && Addresses.isIpLiteral(ip.getAsString())) {
        return Optional.of(SocketEndpoint.Tcp.reaching(ip.getAsString(), port.getAsInt()));
      }
    } catch (RuntimeException e) {
      // not a literal and a number: Envoy refused it already; the variables' admin is used
    }
    return Optional.empty();
  }
}
