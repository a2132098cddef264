package dev.meshboot.mesh.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Splitter;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.Resource;
import dev.meshboot.mesh.xds.Translator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No member of a spec is accepted and then ignored: in the mesh that uses every supported member
 * ({@code every-member.yaml}), leaving out any one member that may be left out changes what
 * meshboot serves, or the definition is refused. A member the translation forgot would load, be
 * checked, and change nothing.
 */
class EveryMemberTakesEffectTest {

  /** Members whose value in every-member.yaml is the one App Mesh takes without them. */
  private static final Map<String, String> DEFAULTS =
      Map.of(
          "virtualNode db in mesh sink: $.spec.serviceDiscovery.dns.responseType",
          "LOADBALANCER is the default (web's ENDPOINTS makes a STRICT_DNS cluster)",
          "virtualNode web in mesh sink: $.spec.listeners[0].healthCheck.port",
          "the listener's port, the default (another port is refused)",
          "virtualGateway edge in mesh sink: $.spec.listeners[0].healthCheck.port",
          "the listener's port, the default (another port is refused)",
          "virtualNode web in mesh sink: $.spec.backendDefaults.clientPolicy.tls.enforce",
          "true is the default (false turns the client policy off)",
          "virtualGateway edge in mesh sink: $.spec.backendDefaults.clientPolicy.tls.enforce",
          "true is the default (false turns the client policy off)",
          "gatewayRoute gw-grpc of virtualGateway edge in mesh sink: $.spec.grpcRoute.action.rewrite",
          "holds only defaultTargetHostname ENABLED, the default (gw-http's DISABLED takes effect)",
          "gatewayRoute gw-grpc of virtualGateway edge in mesh sink:"
              + " $.spec.grpcRoute.action.rewrite.hostname",
          "holds only defaultTargetHostname ENABLED, the default",
          "gatewayRoute gw-grpc of virtualGateway edge in mesh sink:"
              + " $.spec.grpcRoute.action.rewrite.hostname.defaultTargetHostname",
          "ENABLED is the default",
          "gatewayRoute gw-http of virtualGateway edge in mesh sink: $.spec.priority",
          "gw-http is the first route of its listener with or without it (the routes of"
              + " api-router show that priorities order routes)");

  @Test
  void leavingOutAnyMemberChangesTheTranslationOrIsRefused(@TempDir Path dir) throws Exception {
    MeshDefinition full =
        MeshLoader.load(Path.of(getClass().getResource("every-member.yaml").toURI()));
    Map<NodeKey, NodeResources> served = Translator.translate(full);
    List<String> ignored = new ArrayList<>();
    int tried = 0;
    for (int i = 0; i < full.resources().size(); i++) {
      Resource resource = full.resources().get(i);
      for (String path : memberPaths(resource.spec(), "$.spec")) {
        tried++;
        JsonObject spec = resource.spec().deepCopy();
        remove(spec, path.substring("$.spec.".length()));
        Path definition = write(dir.resolve("try" + tried), full.resources(), i, spec);
        MeshDefinition without;
        try {
          without = MeshLoader.load(definition);
        } catch (MeshException refused) {
          continue;
        }
        if (Translator.translate(without).equals(served)
            && !DEFAULTS.containsKey(resource.describe() + ": " + path)) {
          ignored.add(resource.describe() + ": " + path);
        }
      }
    }
    assertThat(tried).isGreaterThan(300);
    assertThat(ignored).as("members whose absence changes nothing").isEmpty();
  }

  /** The path of every member of every object under {@code value}, lists included. */
  private static List<String> memberPaths(JsonElement value, String path) {
    List<String> paths = new ArrayList<>();
    if (value.isJsonObject()) {
      for (Map.Entry<String, JsonElement> member : value.getAsJsonObject().entrySet()) {
        String at = path + "." + member.getKey();
        paths.add(at);
        paths.addAll(memberPaths(member.getValue(), at));
      }
    } else if (value.isJsonArray()) {
      for (int i = 0; i < value.getAsJsonArray().size(); i++) {
        paths.addAll(memberPaths(value.getAsJsonArray().get(i), path + "[" + i + "]"));
      }
    }
    return paths;
  }

  /** Removes the member at {@code path} ({@code a.b[2].c}) from {@code spec}. */
  private static void remove(JsonObject spec, String path) {
    int last = path.lastIndexOf('.');
    JsonElement at = spec;
    if (last >= 0) {
      for (String step : Splitter.on('.').split(path.substring(0, last))) {
        at = step(at, step);
      }
    }
    at.getAsJsonObject().remove(path.substring(last + 1));
  }

  private static JsonElement step(JsonElement at, String step) {
    int bracket = step.indexOf('[');
    JsonElement next = at.getAsJsonObject().get(bracket < 0 ? step : step.substring(0, bracket));
    while (bracket >= 0) {
      int close = step.indexOf(']', bracket);
      next = next.getAsJsonArray().get(Integer.parseInt(step.substring(bracket + 1, close)));
      bracket = step.indexOf('[', close);
    }
    return next;
  }

  /**
   * The definition as create requests, one file each, resource {@code changed} with {@code spec}.
   */
  private static Path write(Path dir, List<Resource> resources, int changed, JsonObject spec)
      throws IOException {
    Files.createDirectories(dir);
    for (int i = 0; i < resources.size(); i++) {
      Resource r = resources.get(i);
      JsonObject request = new JsonObject();
      request.addProperty("meshName", r.mesh());
      r.kind().parentMember().ifPresent(m -> request.addProperty(m, r.parent().orElseThrow()));
      request.addProperty(r.kind().nameMember(), r.name());
      request.add("spec", i == changed ? spec : r.spec());
      Files.writeString(dir.resolve(i + ".json"), request.toString());
    }
    return dir;
  }
}
