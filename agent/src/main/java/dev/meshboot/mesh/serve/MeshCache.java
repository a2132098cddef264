package dev.meshboot.mesh.serve;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.meshboot.log.Log;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * java-control-plane's snapshot cache with one snapshot per node key (the group of every Envoy
 * whose node id names that virtual node or gateway, short form or ARN alike), and the nodes served.
 * Applying a new translation sets the snapshot of each node whose version changed, and only those:
 * the cache pushes to a node's Envoys only when its own configuration changed. A node no longer
 * defined keeps its snapshot while Envoys of it are connected (they keep what they have rather than
 * lose every listener; new streams for it are refused) and is dropped once none is.
 *
 * <p>Make before break: a change that removes clusters (a route now sends its traffic elsewhere) is
 * served first with its new listeners and routes beside every cluster the node had, and the removed
 * clusters (and their endpoints) go {@link #REMOVAL_DELAY} later. The cache answers each type's
 * watch on its own, in no set order: removing a cluster in the same push as the route that stops
 * using it let Envoy apply the cluster removal first, and a request in between was answered 503 (no
 * cluster) — MeshServeIT's route change saw it.
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

  /** How long clusters a change removes stay served beside the routes that no longer use them. */
  static final Duration REMOVAL_DELAY = Duration.ofSeconds(5);

  /** Runs the delayed removals of every cache; one daemon thread, idle but for them. */
  private static final ScheduledExecutorService REMOVALS =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("meshboot-cluster-removals").factory());

  private final SimpleCache<NodeKey> cache =
      new SimpleCache<>(
          node ->
              NodeKey.fromNodeId(node.getId())
                  .orElseThrow(() -> new IllegalStateException("not admitted: " + node.getId())));

  private final ServeStats stats;
  private volatile Map<NodeKey, NodeSnapshot> served = Map.of();

  /** What the cache holds for each node: its served resources, or a change's bridge to them. */
  @GuardedBy("this")
  private final Map<NodeKey, NodeResources> published = new HashMap<>();

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
  synchronized Update apply(Map<NodeKey, NodeResources> translated, Set<NodeKey> gone) {
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
      NodeResources resources = java.util.Objects.requireNonNull(translated.get(key));
      NodeSnapshot snapshot = java.util.Objects.requireNonNull(next.get(key));
      NodeResources before = published.get(key);
      Optional<NodeResources> bridge =
          before == null ? Optional.empty() : withRemovedClusters(before, resources);
      if (bridge.isPresent()) {
        publish(key, NodeSnapshot.of(bridge.get()), bridge.get());
        var unused =
            REMOVALS.schedule(
                () -> removeClusters(key, snapshot, resources),
                REMOVAL_DELAY.toMillis(),
                TimeUnit.MILLISECONDS);
      } else {
        publish(key, snapshot, resources);
      }
    }
    for (NodeKey key : removed) {
      published.remove(key);
      dropIfUnused(key);
    }
    return new Update(version(next), next.size(), List.copyOf(changed), List.copyOf(removed));
  }

  @GuardedBy("this")
  private void publish(NodeKey key, NodeSnapshot snapshot, NodeResources resources) {
    published.put(key, resources);
    cache.setSnapshot(key, snapshot);
  }

  /** A change's delayed second step, unless a later change has taken its place. */
  private synchronized void removeClusters(
      NodeKey key, NodeSnapshot snapshot, NodeResources resources) {
    if (served.get(key) == snapshot) {
      publish(key, snapshot, resources);
    }
  }

  /**
   * {@code now} with the clusters {@code before} has and {@code now} has not (and their endpoints),
   * or empty when {@code now} removes none.
   */
  static Optional<NodeResources> withRemovedClusters(NodeResources before, NodeResources now) {
    Set<String> kept =
        now.clusters().stream().map(Cluster::getName).collect(Collectors.toUnmodifiableSet());
    List<Cluster> removed =
        before.clusters().stream().filter(cluster -> !kept.contains(cluster.getName())).toList();
    if (removed.isEmpty()) {
      return Optional.empty();
    }
    Set<String> removedNames =
        removed.stream().map(Cluster::getName).collect(Collectors.toUnmodifiableSet());
    List<Cluster> clusters = new ArrayList<>(now.clusters());
    clusters.addAll(removed);
    clusters.sort(Comparator.comparing(Cluster::getName));
    List<ClusterLoadAssignment> endpoints = new ArrayList<>(now.endpoints());
    before.endpoints().stream()
        .filter(assignment -> removedNames.contains(assignment.getClusterName()))
        .forEach(endpoints::add);
    endpoints.sort(Comparator.comparing(ClusterLoadAssignment::getClusterName));
    return Optional.of(
        new NodeResources(now.listeners(), clusters, now.routes(), endpoints, now.secrets()));
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
