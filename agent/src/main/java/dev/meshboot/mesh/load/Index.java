package dev.meshboot.mesh.load;

import com.google.gson.JsonObject;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The named resources of a definition, looked up by kind, mesh, parent and name. */
final class Index {

  /**
   * One listener of a node, router or gateway.
   *
   * @param at its JSON path
   */
  record Listener(int port, String protocol, String at) {
    @Override
    public String toString() {
      return protocol + " " + port;
    }
  }

  private final Map<String, List<Found>> byKey = new HashMap<>();

  /** Indexes the documents named completely, in source order. */
  Index(List<Found> found) {
    for (Found f : found) {
      f.resource().ifPresent(r -> byKey.computeIfAbsent(key(r), k -> new ArrayList<>()).add(f));
    }
  }

  private static String key(Resource r) {
    return key(r.kind(), r.mesh(), r.parent().orElse(""), r.name());
  }

  private static String key(Kind kind, String mesh, String parent, String name) {
    return kind + "\u0000" + mesh + "\u0000" + parent + "\u0000" + name;
  }

  /** Every group of documents defining the same resource, in source order, for each key. */
  List<List<Found>> groups() {
    return new ArrayList<>(byKey.values());
  }

  /** The resource of {@code kind} named {@code name} in {@code mesh} (not a route). */
  @Nullable Found find(Kind kind, String mesh, String name) {
    return child(kind, mesh, "", name);
  }

  /** The route or gateway route {@code name} of {@code parent}. */
  @Nullable Found child(Kind kind, String mesh, String parent, String name) {
    List<Found> found = byKey.get(key(kind, mesh, parent, name));
    return found == null ? null : found.get(0);
  }

  /** The listeners of a node, router or gateway whose spec fits its shape. */
  static List<Listener> listeners(Found found) {
    List<Listener> listeners = new ArrayList<>();
    List<JsonObject> list = Json.objects(found.spec(), "listeners");
    for (int i = 0; i < list.size(); i++) {
      JsonObject mapping = Json.object(list.get(i), "portMapping");
      Integer port = mapping == null ? null : Json.integer(mapping, "port");
      String protocol = mapping == null ? null : Json.text(mapping, "protocol");
      if (port != null && protocol != null) {
        listeners.add(new Listener(port, protocol, found.specPath() + ".listeners[" + i + "]"));
      }
    }
    return listeners;
  }

  /** {@code http 3000, grpc 3001}, or {@code none}. */
  static String describe(List<Listener> listeners) {
    return listeners.isEmpty()
        ? "none"
        : listeners.stream().map(Listener::toString).collect(Collectors.joining(", "));
  }
}
