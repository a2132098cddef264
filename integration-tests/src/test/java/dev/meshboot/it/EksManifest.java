package dev.meshboot.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A manifest of {@code platforms/eks/} read as plain YAML (snakeyaml), so that the integration
 * tests run a pod from exactly what the file says: its pod spec, a container or volume by name, a
 * container's literal variables. Reading them with Kubernetes' own model is EksManifestsTest's job.
 */
final class EksManifest {

  private static final Path KIT =
      Path.of(System.getProperty("meshboot.examples")).resolveSibling("platforms").resolve("eks");

  private final Path file;
  private final Map<String, Object> document;

  private EksManifest(Path file, Map<String, Object> document) {
    this.file = file;
    this.document = document;
  }

  /** {@code platforms/eks/<name>}, one YAML document. */
  static EksManifest read(String name) throws IOException {
    Path file = KIT.resolve(name);
    return new EksManifest(
        file,
        asMap(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file))));
  }

  /** The whole document. */
  Map<String, Object> document() {
    return document;
  }

  /** A Deployment's pod spec: {@code spec.template.spec}. */
  Map<String, Object> podSpec() {
    return map(map(map(document, "spec"), "template"), "spec");
  }

  /**
   * Whether the pod spec's {@code list} (containers, initContainers) has one called {@code name}.
   */
  boolean has(String list, String name) {
    return podSpec().get(list) instanceof List<?> items
        && items.stream().map(EksManifest::asMap).anyMatch(c -> name.equals(c.get("name")));
  }

  /** The container {@code name} of the pod spec's {@code list} (containers, initContainers). */
  Map<String, Object> container(String list, String name) {
    return named(list, name);
  }

  /** The pod's volume {@code name}. */
  Map<String, Object> volume(String name) {
    return named("volumes", name);
  }

  private Map<String, Object> named(String list, String name) {
    return items(podSpec(), list).stream()
        .filter(item -> name.equals(item.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + list + " of " + file));
  }

  /**
   * The container's literal variables, in the manifest's order (the downward API's are the
   * kubelet's).
   */
  static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> variable : items(container, "env")) {
      if (variable.containsKey("value")) {
        env.put((String) variable.get("name"), String.valueOf(variable.get("value")));
      }
    }
    return env;
  }

  /** The list of maps at {@code key}. */
  static List<Map<String, Object>> items(Map<String, Object> map, String key) {
    return ((List<?>) Objects.requireNonNull(map.get(key), key))
        .stream().map(EksManifest::asMap).toList();
  }

  /** The map at {@code key}. */
  static Map<String, Object> map(Map<String, Object> map, String key) {
    return asMap(Objects.requireNonNull(map.get(key), key));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object value) {
    return (Map<String, Object>) value;
  }

  /** A YAML list as strings. */
  static List<String> strings(Object list) {
    return ((List<?>) list).stream().map(String::valueOf).toList();
  }
}
