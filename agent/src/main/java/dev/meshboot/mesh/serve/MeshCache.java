package dev.meshboot.mesh.serve;

import dev.meshboot.log.Log;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * java-control-plane's snapshot cache with one snapshot per node key (the group of every Envoy
 * whose node id names that virtual node or gateway, short form or ARN alike), and the nodes served.
 * Applying a new translation sets the snapshot of each node whose version changed, and only those:
 * the cache pushes to a node's Envoys only when its own configuration changed. A node no longer
 * defined keeps its snapshot while Envoys of it are connected (they keep what they have rather than
 * lose every listener; new streams for it are refused) and is dropped once none is.
 */
final class MeshCache {

  private static final Log log = Log.of(MeshCache.class);

  /**
   * What applying a translation did.
   *
   * @param nodes how many nodes are served now
   */
  record Update(String version, int nodes, List<NodeKey> changed, List<NodeKey> removed) {}

  private static final Comparator<NodeKey> BY_ID = Comparator.comparing(NodeKey::toString);

  private final SimpleCache<NodeKey> cache =
      new SimpleCache<>(
          node ->
              NodeKey.fromNodeId(node.getId())
                  .orElseThrow(() -> new IllegalStateException("not admitted: " + node.getId())));

  private final ServeStats stats;
  private volatile Map<NodeKey, NodeSnapshot> served = Map.of();

  MeshCache(ServeStats stats) {
    this.stats = stats;
  }

  SimpleCache<NodeKey> cache() {
    return cache;
  }

  /**
   * Serves {@code translated}'s nodes with these resources from now on, and {@code gone}'s no
   * longer; every other node served keeps its snapshot. A node's snapshot is set (and its Envoys
   * sent the parts that changed) only if its version changed. Called by one thread at a time.
   */
  Update apply(Map<NodeKey, NodeResources> translated, Set<NodeKey> gone) {
    Map<NodeKey, NodeSnapshot> next = new HashMap<>(served);
    List<NodeKey> changed = new ArrayList<>();
    for (Map.Entry<NodeKey, NodeResources> node : translated.entrySet()) {
      NodeSnapshot snapshot = NodeSnapshot.of(node.getValue());
      NodeSnapshot before = served.get(node.getKey());
      if (before == null || !before.version().equals(snapshot.version())) {
        next.put(node.getKey(), snapshot);
        changed.add(node.getKey());
      }
    }
    List<NodeKey> removed = new ArrayList<>();
    for (NodeKey key : gone) {
      if (next.remove(key) != null) {
        removed.add(key);
      }
    }
    changed.sort(BY_ID);
    removed.sort(BY_ID);
    // Admission reads the new set first: a stream for a new node finds its snapshot, or waits
    // for it in the cache, never a refusal for a node being added.
    served = Map.copyOf(next);
    for (NodeKey key : changed) {
      cache.setSnapshot(key, next.get(key));
    }
    for (NodeKey key : removed) {
      dropIfUnused(key);
    }
    return new Update(version(next), next.size(), List.copyOf(changed), List.copyOf(removed));
  }

  /** Drops the snapshot of a node no longer defined once none of its Envoys is connected. */
  void dropIfUnused(NodeKey key) {
    if (served.containsKey(key)) {
      return;
    }
    if (stats.node(key).streams.get() > 0 || !cache.clearSnapshot(key)) {
      log.warn(
          "node no longer defined; its connected Envoys keep their configuration until they"
              + " reconnect, and are then refused",
          "node",
          key,
          "streams",
          stats.node(key).streams.get());
    }
  }

  /** Whether {@code key} is served. */
  boolean serves(NodeKey key) {
    return served.containsKey(key);
  }

  /** The nodes served, by node id. */
  Map<NodeKey, NodeSnapshot> served() {
    return sorted(served);
  }

  private static Map<NodeKey, NodeSnapshot> sorted(Map<NodeKey, NodeSnapshot> nodes) {
    Map<NodeKey, NodeSnapshot> out = new TreeMap<>(BY_ID);
    out.putAll(nodes);
    return out;
  }

  /** The definition's version: the hash of every node's id and version. */
  private static String version(Map<NodeKey, NodeSnapshot> nodes) {
    StringBuilder text = new StringBuilder();
    sorted(nodes)
        .forEach((key, node) -> text.append(key).append(' ').append(node.version()).append('\n'));
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  Optional<NodeSnapshot> snapshot(NodeKey key) {
    return Optional.ofNullable(served.get(key));
  }
}
