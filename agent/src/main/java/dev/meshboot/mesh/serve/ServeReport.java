package dev.meshboot.mesh.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.meshboot.mesh.NodeKey;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The server's state for people and for Prometheus: {@code /status} and {@code /stats/prometheus}.
 */
final class ServeReport {

  private final Path definition;
  private final MeshCache cache;
  private final ServeStats stats;

  ServeReport(Path definition, MeshCache cache, ServeStats stats) {
    this.definition = definition;
    this.cache = cache;
    this.stats = stats;
  }

  /**
   * The definition served (version, when), its nodes with their streams and traffic, the last
   * change applied and the last refused, with its errors.
   */
  JsonObject status() {
    JsonObject out = new JsonObject();
    out.addProperty("definition", definition.toString());
    ServeStats.Applied current = stats.current();
    out.addProperty("version", current == null ? null : current.version());
    out.addProperty("loaded", current == null ? null : current.at().toString());
    Map<NodeKey, NodeSnapshot> served = cache.served();
    Map<NodeKey, NodeStats> traffic = stats.nodes();
    JsonObject nodes = new JsonObject();
    int connected = 0;
    for (Map.Entry<NodeKey, NodeStats> entry : traffic.entrySet()) {
      connected += entry.getValue().streams.get() > 0 ? 1 : 0;
    }
    for (NodeKey key : union(served, traffic)) {
      NodeSnapshot snapshot = served.get(key);
      NodeStats node = traffic.get(key);
      JsonObject one = new JsonObject();
      one.addProperty("defined", snapshot != null);
      one.addProperty("version", snapshot == null ? null : snapshot.version());
      if (node != null) {
        one.addProperty("streams", node.streams.get());
        one.addProperty("pushes", node.pushes.sum());
        one.addProperty("acks", node.acks.sum());
        one.addProperty("nacks", node.nacks.sum());
        one.addProperty("pending", node.pending.get());
        one.addProperty("lastAck", node.lastAck() == null ? null : String.valueOf(node.lastAck()));
        NodeStats.Nack nack = node.lastNack();
        if (nack != null) {
          JsonObject last = new JsonObject();
          last.addProperty("at", nack.at().toString());
          last.addProperty("type", nack.typeUrl());
          last.addProperty("error", nack.error());
          one.add("lastNack", last);
        }
      } else {
        one.addProperty("streams", 0);
      }
      nodes.add(key.toString(), one);
    }
    out.addProperty("connectedNodes", connected);
    out.add("nodes", nodes);
    ServeStats.Applied change = stats.lastChange();
    if (change != null) {
      JsonObject last = new JsonObject();
      last.addProperty("at", change.at().toString());
      last.addProperty("version", change.version());
      last.addProperty("translated", change.translated());
      last.add("changed", strings(change.changed()));
      last.add("removed", strings(change.removed()));
      last.addProperty("loadMs", millis(change.load()));
      last.addProperty("translateMs", millis(change.translate()));
      out.add("lastChange", last);
    }
    ServeStats.Refused refused = stats.lastRefused();
    if (refused != null) {
      JsonObject last = new JsonObject();
      last.addProperty("at", refused.at().toString());
      last.add("errors", strings(refused.errors()));
      out.add("lastRefusedChange", last);
    }
    JsonObject streams = new JsonObject();
    stats.refusedStreams().forEach((code, count) -> streams.addProperty(code.name(), count));
    out.add("refusedStreams", streams);
    return out;
  }

  /** The metrics in Prometheus' text format (0.0.4). */
  String prometheus() {
    StringBuilder out = new StringBuilder();
    Map<NodeKey, NodeSnapshot> served = cache.served();
    Map<NodeKey, NodeStats> traffic = stats.nodes();
    gauge(out, "meshboot_mesh_nodes", "Nodes the definition served defines.", served.size());
    long connected = traffic.values().stream().filter(n -> n.streams.get() > 0).count();
    gauge(out, "meshboot_mesh_connected_nodes", "Nodes with at least one ADS stream.", connected);
    perNode(
        out, "meshboot_mesh_streams", "gauge", "Open ADS streams.", traffic, n -> n.streams.get());
    perNode(
        out,
        "meshboot_mesh_pushes_total",
        "counter",
        "Responses sent.",
        traffic,
        n -> n.pushes.sum());
    perNode(
        out,
        "meshboot_mesh_acks_total",
        "counter",
        "Responses Envoy accepted.",
        traffic,
        n -> n.acks.sum());
    perNode(
        out,
        "meshboot_mesh_nacks_total",
        "counter",
        "Responses Envoy rejected.",
        traffic,
        n -> n.nacks.sum());
    perNode(
        out,
        "meshboot_mesh_pending_responses",
        "gauge",
        "Responses Envoy has not answered yet.",
        traffic,
        n -> n.pending.get());
    out.append("# HELP meshboot_mesh_refused_streams_total ADS streams refused, by gRPC status.\n")
        .append("# TYPE meshboot_mesh_refused_streams_total counter\n");
    for (Map.Entry<Status.Code, Long> refused : stats.refusedStreams().entrySet()) {
      out.append("meshboot_mesh_refused_streams_total{code=\"")
          .append(refused.getKey().name())
          .append("\"} ")
          .append(refused.getValue())
          .append('\n');
    }
    out.append("# HELP meshboot_mesh_reloads_total Definition loads after a change, by result.\n")
        .append("# TYPE meshboot_mesh_reloads_total counter\n");
    reloads(out, "applied", stats.reloadsApplied.sum());
    reloads(out, "unchanged", stats.reloadsUnchanged.sum());
    reloads(out, "refused", stats.reloadsRefused.sum());
    summary(
        out,
        "meshboot_mesh_load_seconds",
        "Loading the definition.",
        stats.loadNanos.sum(),
        stats.loads.sum());
    summary(
        out,
        "meshboot_mesh_translate_seconds",
        "Translating the definition.",
        stats.translateNanos.sum(),
        stats.translations.sum());
    ServeStats.Refused refused = stats.lastRefused();
    gauge(
        out,
        "meshboot_mesh_last_refused_change_timestamp_seconds",
        "When a change was last refused (0: never).",
        refused == null ? 0 : refused.at().getEpochSecond());
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
    out.append(name).append(' ').append(value).append('\n');
  }

  private static void perNode(
      StringBuilder out,
      String name,
      String type,
      String help,
      Map<NodeKey, NodeStats> nodes,
      java.util.function.ToLongFunction<NodeStats> value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    nodes.forEach(
        (key, node) ->
            out.append(name)
                .append("{node=\"")
                .append(key.toString().replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\"} ")
                .append(value.applyAsLong(node))
                .append('\n'));
  }

  private static void reloads(StringBuilder out, String result, long count) {
    out.append("meshboot_mesh_reloads_total{result=\"")
        .append(result)
        .append("\"} ")
        .append(count)
        .append('\n');
  }

  private static void summary(StringBuilder out, String name, String help, long nanos, long count) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" summary\n");
    out.append(name)
        .append("_sum ")
        .append(Duration.ofNanos(nanos).toNanos() / 1e9)
        .append('\n')
        .append(name)
        .append("_count ")
        .append(count)
        .append('\n');
  }

  private static java.util.SortedSet<NodeKey> union(Map<NodeKey, ?> first, Map<NodeKey, ?> second) {
    java.util.SortedSet<NodeKey> keys =
        new java.util.TreeSet<>(java.util.Comparator.comparing(NodeKey::toString));
    keys.addAll(first.keySet());
    keys.addAll(second.keySet());
    return keys;
  }

  private static JsonArray strings(List<String> values) {
    JsonArray out = new JsonArray();
    values.forEach(out::add);
    return out;
  }

  /** Milliseconds to the microsecond: a re-translation takes a few. */
  private static double millis(Duration duration) {
    return Math.round(duration.toNanos() / 1000.0) / 1000.0;
  }
}
