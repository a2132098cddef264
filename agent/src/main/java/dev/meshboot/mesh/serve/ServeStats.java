package dev.meshboot.mesh.serve;

import dev.meshboot.mesh.NodeKey;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What the server has done: per node, its streams and their traffic; streams refused, by status;
 * and the definition's changes, applied or refused, with how long loading and translating took.
 */
final class ServeStats {

  /**
   * A definition being served.
   *
   * @param version the hash of every node's version
   * @param nodes how many nodes it serves
   * @param translated how many nodes were translated (all at first; after a change, those it can
   *     affect)
   * @param changed the nodes whose configuration changed (new ones included)
   * @param removed the nodes no longer defined
   */
  record Applied(
      Instant at,
      String version,
      int nodes,
      int translated,
      List<String> changed,
      List<String> removed,
      Duration load,
      Duration translate) {}

  /** A change that was refused, with every error; the previous definition is still served. */
  record Refused(Instant at, List<String> errors) {}

  private final Map<NodeKey, NodeStats> nodes = new ConcurrentHashMap<>();
  private final Map<Status.Code, LongAdder> refusedStreams = new ConcurrentHashMap<>();
  private final AtomicReference<@Nullable Applied> applied = new AtomicReference<>();
  private final AtomicReference<@Nullable Applied> lastChange = new AtomicReference<>();
  private final AtomicReference<@Nullable Refused> refused = new AtomicReference<>();
  final LongAdder reloadsApplied = new LongAdder();
  final LongAdder reloadsUnchanged = new LongAdder();
  final LongAdder reloadsRefused = new LongAdder();
  final LongAdder loadNanos = new LongAdder();
  final LongAdder loads = new LongAdder();
  final LongAdder translateNanos = new LongAdder();
  final LongAdder translations = new LongAdder();

  /** The node's counters, created on first use. */
  NodeStats node(NodeKey key) {
    return nodes.computeIfAbsent(key, k -> new NodeStats());
  }

  /** Every node's counters (of nodes that were served or connected), by node. */
  Map<NodeKey, NodeStats> nodes() {
    Map<NodeKey, NodeStats> out = new TreeMap<>(Comparator.comparing(NodeKey::toString));
    out.putAll(nodes);
    return out;
  }

  void refused(Status.Code code) {
    refusedStreams.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  Map<Status.Code, Long> refusedStreams() {
    Map<Status.Code, Long> out = new TreeMap<>();
    refusedStreams.forEach((code, count) -> out.put(code, count.sum()));
    return out;
  }

  void loaded(Duration load) {
    loads.increment();
    loadNanos.add(load.toNanos());
  }

  void translated(Duration translate) {
    translations.increment();
    translateNanos.add(translate.toNanos());
  }

  /** A definition applied; {@code changed} says whether any node's configuration changed. */
  void applied(Applied definition, boolean changed) {
    applied.set(definition);
    if (changed) {
      lastChange.set(definition);
      reloadsApplied.increment();
    } else {
      reloadsUnchanged.increment();
    }
  }

  void refused(Refused change) {
    refused.set(change);
    reloadsRefused.increment();
  }

  /** The definition served; null before the first load. */
  @Nullable Applied current() {
    return applied.get();
  }

  /** The last definition that changed a node's configuration. */
  @Nullable Applied lastChange() {
    return lastChange.get();
  }

  @Nullable Refused lastRefused() {
    return refused.get();
  }
}
