package dev.meshboot.mesh.serve;

import dev.meshboot.log.Log;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Loads the definition, translates it and applies the result to the cache, as a whole or not at
 * all: a definition that does not load or translate (every error of it logged) leaves the previous
 * one served, and is what {@code /status} shows as the last refused change. Called by one thread at
 * a time.
 */
final class Reloader {

  private static final Log log = Log.of(Reloader.class);

  private final Path definition;
  private final MeshSource source;
  private final MeshCache cache;
  private final ServeStats stats;
  private final Clock clock;

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
    Map<NodeKey, NodeResources> nodes;
    try {
      nodes = source.translator().apply(loaded);
    } catch (MeshException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new MeshException(List.of(definition + ": cannot translate: " + e));
    }
    Duration translate = Duration.ofNanos(System.nanoTime() - translating);
    stats.translated(translate);
    MeshCache.Update update;
    try {
      update = cache.apply(nodes);
    } catch (IllegalArgumentException e) {
      throw new MeshException(List.of(definition + ": " + e.getMessage()));
    }
    ServeStats.Applied applied =
        new ServeStats.Applied(
            at,
            update.version(),
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
}
