package dev.meshboot.mesh.serve;

import dev.meshboot.log.Log;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.Translation;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Loads the definition, translates it and applies the result to the cache, as a whole or not at
 * all. The first definition is translated whole; a change only for the nodes the resources it
 * changed can affect ({@link Translation#affectedBy}) and the nodes it adds, and only those nodes'
 * snapshots are rebuilt and, if their versions changed, pushed. A definition that does not load or
 * translate (every error of it logged) leaves the previous one served, and is what {@code /status}
 * shows as the last refused change. Called by one thread at a time.
 */
final class Reloader {

  private static final Log log = Log.of(Reloader.class);

  /** From how many nodes a translation is shared among the cores. */
  private static final int PARALLEL = 64;

  /** One node's translation: its resources (none: no longer defined) or its errors. */
  private record Translated(Optional<NodeResources> resources, List<String> errors) {}

  private final Path definition;
  private final MeshSource source;
  private final MeshCache cache;
  private final ServeStats stats;
  private final Clock clock;
  private @Nullable MeshDefinition served;
  private @Nullable Translation translation;

  Reloader(Path definition, MeshSource source, MeshCache cache, ServeStats stats, Clock clock) {
    this.definition = definition;
    this.source = source;
    this.cache = cache;
    this.stats = stats;
    this.clock = clock;
  }

  /**
   * The first load: the server starts only with a valid definition.
   *
   * @throws MeshException with every error
   */
  ServeStats.Applied initial() {
    return apply(clock.instant());
  }

  /** A load after a change: applied, or refused and logged, never thrown. */
  void reload() {
    Instant at = clock.instant();
    try {
      apply(at);
    } catch (MeshException e) {
      stats.refused(new ServeStats.Refused(at, e.errors()));
      ServeStats.Applied served = stats.current();
      log.warn(
          "definition change refused; the previous definition is still served",
          "definition",
          definition,
          "errors",
          e.errors().size(),
          "serving",
          served == null ? "nothing" : served.version());
      for (String error : e.errors()) {
        log.warn("refused definition: " + error, "definition", definition);
      }
    }
  }

  private ServeStats.Applied apply(Instant at) {
    long start = System.nanoTime();
    MeshDefinition loaded;
    try {
      loaded = source.loader().apply(definition);
    } catch (MeshException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new MeshException(List.of(definition + ": cannot load: " + e));
    }
    Duration load = Duration.ofNanos(System.nanoTime() - start);
    stats.loaded(load);
    long translating = System.nanoTime();
    Translation next;
    Map<NodeKey, NodeResources> nodes = new LinkedHashMap<>();
    Set<NodeKey> gone = new LinkedHashSet<>();
    try {
      next = source.translator().apply(loaded);
      Set<NodeKey> affected = affected(loaded, next);
      // Many nodes (the first load, a mesh's change) are translated on every core; a few on this
      // thread. Each node's translation is independent of the others'.
      List<Map.Entry<NodeKey, Translated>> translated =
          (affected.size() >= PARALLEL ? affected.parallelStream() : affected.stream())
              .map(key -> Map.entry(key, translate(next, key)))
              .toList();
      List<String> errors = new ArrayList<>();
      for (Map.Entry<NodeKey, Translated> one : translated) {
        Translated node = one.getValue();
        if (!node.errors().isEmpty()) {
          errors.addAll(node.errors());
        } else if (node.resources().isPresent()) {
          nodes.put(one.getKey(), node.resources().get());
        } else {
          gone.add(one.getKey());
        }
      }
      if (!errors.isEmpty()) {
        throw new MeshException(errors);
      }
    } catch (MeshException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new MeshException(List.of(definition + ": cannot translate: " + e));
    }
    Duration translate = Duration.ofNanos(System.nanoTime() - translating);
    stats.translated(translate);
    MeshCache.Update update;
    try {
      update = cache.apply(nodes, gone);
    } catch (IllegalArgumentException e) {
      throw new MeshException(List.of(definition + ": " + e.getMessage()));
    }
    served = loaded;
    translation = next;
    ServeStats.Applied applied =
        new ServeStats.Applied(
            at,
            update.version(),
            update.nodes(),
            nodes.size(),
            update.changed().stream().map(NodeKey::toString).toList(),
            update.removed().stream().map(NodeKey::toString).toList(),
            load,
            translate);
    boolean changed = !update.changed().isEmpty() || !update.removed().isEmpty();
    stats.applied(applied, changed);
    if (changed) {
      log.info(
          "definition applied",
          "definition",
          definition,
          "version",
          update.version(),
          "nodes",
          update.nodes(),
          "translated",
          nodes.size(),
          "changed",
          update.changed().size(),
          "removed",
          update.removed().size(),
          "load_ms",
          load.toMillis(),
          "translate_ms",
          translate.toMillis());
    } else {
      log.debug("definition unchanged", "definition", definition, "version", update.version());
    }
    // The next change asks this translation which nodes its resources affect: its index of who
    // reads what is built now, after the push, not on the next change's way to the Envoys.
    var unused = next.affectedBy(Kind.VIRTUAL_SERVICE, "", "");
    return applied;
  }

  private static Translated translate(Translation translation, NodeKey key) {
    try {
      return new Translated(translation.node(key), List.of());
    } catch (MeshException e) {
      return new Translated(Optional.empty(), e.errors());
    }
  }

  /**
   * The nodes to translate: every node of the first definition; after a change, those the served
   * definition's translation says a changed resource affects (a node removed among them), and the
   * nodes the change adds. The new translation need not be asked: a node that reads a changed
   * resource only in the new definition reads it through a path (its own spec, its backends'
   * services, their routers' routes, a gateway's routes) of which some resource changed, and which
   * the node read in the served definition already, so the served translation names it. Every other
   * node's inputs are the same, so its resources, and what its Envoys were sent, are too.
   */
  private Set<NodeKey> affected(MeshDefinition loaded, Translation next) {
    MeshDefinition before = served;
    Translation previous = translation;
    if (before == null || previous == null) {
      return new LinkedHashSet<>(next.nodes());
    }
    Set<NodeKey> affected = new LinkedHashSet<>();
    for (Changes.Changed changed : Changes.between(before, loaded)) {
      affected.addAll(previous.affectedBy(changed.kind(), changed.mesh(), changed.name()));
    }
    Set<NodeKey> had = new HashSet<>(previous.nodes());
    for (NodeKey key : next.nodes()) {
      if (!had.contains(key)) {
        affected.add(key);
      }
    }
    return affected;
  }
}
