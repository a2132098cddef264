package dev.meshboot.mesh.load;

import dev.meshboot.mesh.Source;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every error a definition has, in a stable order: those about the whole definition first, then by
 * file and document, each in the order found.
 */
final class Problems {

  /**
   * Errors kept: a small hostile file (a list of 300,000 wrong items) would otherwise hold, and
   * print, an error per item. The rest are counted.
   */
  static final int KEPT = 1_000;

  private int kept;
  private int dropped;

  private final List<String> general = new ArrayList<>();
  private final Map<Source, List<String>> bySource =
      new TreeMap<>(
          Comparator.comparing((Source s) -> s.file().toString())
              .thenComparingInt(Source::document));

  /** An error about the whole definition or a file, already naming what it is about. */
  void general(String error) {
    if (keep()) {
      general.add(error);
    }
  }

  /** An error in a document that is not (yet) a resource: {@code file: $.path: message}. */
  void at(Source source, String path, String message) {
    add(source, source + ": " + path + ": " + message);
  }

  /** An error in a resource: {@code file: virtualNode a in mesh m: $.spec...: message}. */
  void at(Found found, String path, String message) {
    add(found.source(), found.source() + ": " + found.label() + ": " + path + ": " + message);
  }

  private void add(Source source, String error) {
    if (keep()) {
      bySource.computeIfAbsent(source, s -> new ArrayList<>()).add(error);
    }
  }

  private boolean keep() {
    if (kept < KEPT) {
      kept++;
      return true;
    }
    dropped++;
    return false;
  }

  boolean any() {
    return kept > 0;
  }

  /** The errors kept, and a last line counting those that were not. */
  List<String> all() {
    List<String> all = new ArrayList<>(general);
    bySource.values().forEach(all::addAll);
    if (dropped > 0) {
      all.add("... and " + dropped + " more errors (the first " + KEPT + " are shown)");
    }
    return all;
  }
}
