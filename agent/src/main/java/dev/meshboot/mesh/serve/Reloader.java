package dev.meshboot.mesh.serve;

import dev.meshboot.log.Log;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Loads the definition, translates it and applies the result to the cache, as a whole or not at
 * all. The first definition is translated whole; a change only for the nodes the resources it
 * changed can affect ({@link Translation#affectedBy}, asked of the old and the new translation),
 * and only those nodes' snapshots are rebuilt and, if their versions changed, pushed. A definition
 * that does not load or translate (every error of it logged) leaves the previous one served, and is
 * what {@code /status} shows as the last refused change. Called by one thread at a time.
 */
final class Reloader {

  private static final Log log = Log.of(Reloader.class);

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
      List<String> errors = new ArrayList<>();
      for (NodeKey key : affected(loaded, next)) {
        try {
          next.node(key)
              .ifPresentOrElse(resources -> nodes.put(key, resources), () -> gone.add(key));
        } catch (MeshException e) {
          errors.addAll(e.errors());
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
    return applied;
  }

  /**
   * The nodes to translate: every node of the first definition; after a change, those the old or
   * the new translation says a changed resource can affect (the old one knows who read a removed
   * resource or reference, the new one who reads an added one). Every other node's inputs are the
   * same, so its resources, and what its Envoys were sent, are too.
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
      affected.addAll(next.affectedBy(changed.kind(), changed.mesh(), changed.name()));
    }
    return affected;
  }
}
