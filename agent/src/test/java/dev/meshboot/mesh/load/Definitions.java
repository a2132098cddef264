package dev.meshboot.mesh.load;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshboot.mesh.MeshException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small definitions for tests, written as users keep them (one create request per JSON file), and
 * the errors a load reports, with the temporary directory taken out of them.
 */
final class Definitions {

  /** In an overrides map: remove the file from the base definition. */
  static final String REMOVED = "\u0000removed";

  static final String A_SPEC =
      """
      {"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
       "serviceDiscovery": {"dns": {"hostname": "a.local"}}}""";
  static final String B_SPEC =
      """
      {"listeners": [{"portMapping": {"port": 8081, "protocol": "http"}}],
       "serviceDiscovery": {"dns": {"hostname": "b.local"}},
       "backends": [{"virtualService": {"virtualServiceName": "s.local"}}]}""";
  static final String S_SPEC =
      """
      {"provider": {"virtualRouter": {"virtualRouterName": "r"}}}""";
  static final String R_SPEC =
      """
      {"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]}""";
  static final String RT_SPEC =
      """
      {"httpRoute": {"match": {"prefix": "/"},
                     "action": {"weightedTargets": [{"virtualNode": "a", "weight": 1}]}}}""";
  static final String G_SPEC =
      """
      {"listeners": [{"portMapping": {"port": 8088, "protocol": "http"}}]}""";
  static final String GR_SPEC =
      """
      {"httpRoute": {"match": {"prefix": "/"},
                     "action": {"target": {"virtualService": {"virtualServiceName": "s.local"}}}}}""";

  /**
   * A valid mesh m: node b calls service s.local, which router r routes (route rt) to node a;
   * gateway g sends everything to s.local (gateway route gr).
   */
  static Map<String, String> base() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("m.json", mesh("m"));
    files.put("a.json", node("a", A_SPEC));
    files.put("b.json", node("b", B_SPEC));
    files.put("s.json", service("s.local", S_SPEC));
    files.put("r.json", router("r", R_SPEC));
    files.put("rt.json", route("r", "rt", RT_SPEC));
    files.put("g.json", gateway("g", G_SPEC));
    files.put("gr.json", gatewayRoute("g", "gr", GR_SPEC));
    return files;
  }

  static String mesh(String name) {
    return "{\"meshName\": \"" + name + "\"}";
  }

  static String node(String name, String spec) {
    return request("virtualNodeName", name, spec);
  }

  static String service(String name, String spec) {
    return request("virtualServiceName", name, spec);
  }

  static String router(String name, String spec) {
    return request("virtualRouterName", name, spec);
  }

  static String gateway(String name, String spec) {
    return request("virtualGatewayName", name, spec);
  }

  static String route(String router, String name, String spec) {
    return "{\"meshName\": \"m\", \"virtualRouterName\": \""
        + router
        + "\", \"routeName\": \""
        + name
        + "\", \"spec\": "
        + spec
        + "}";
  }

  static String gatewayRoute(String gateway, String name, String spec) {
    return "{\"meshName\": \"m\", \"virtualGatewayName\": \""
        + gateway
        + "\", \"gatewayRouteName\": \""
        + name
        + "\", \"spec\": "
        + spec
        + "}";
  }

  private static String request(String member, String name, String spec) {
    return "{\"meshName\": \"m\", \"" + member + "\": \"" + name + "\", \"spec\": " + spec + "}";
  }

  /** Writes the base definition with {@code overrides} ({@link #REMOVED} removes a file). */
  static Path write(Path dir, Map<String, String> overrides) {
    Map<String, String> files = base();
    files.putAll(overrides);
    files.values().removeIf(REMOVED::equals);
    return writeOnly(dir, files);
  }

  /** Writes exactly {@code files} (relative path → text). */
  static Path writeOnly(Path dir, Map<String, String> files) {
    try {
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path path = dir.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** The errors loading {@code dirOrFile} gives, with {@code dir/} taken out of them. */
  static List<String> errors(Path dir, Path dirOrFile) {
    MeshException[] thrown = new MeshException[1];
    assertThatThrownBy(() -> MeshLoader.load(dirOrFile))
        .isInstanceOfSatisfying(MeshException.class, e -> thrown[0] = e);
    return thrown[0].errors().stream().map(e -> e.replace(dir + "/", "")).toList();
  }

  private Definitions() {}
}
