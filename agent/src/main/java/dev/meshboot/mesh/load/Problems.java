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

  private final List<String> general = new ArrayList<>();
  private final Map<Source, List<String>> bySource =
      new TreeMap<>(
          Comparator.comparing((Source s) -> s.file().toString())
              .thenComparingInt(Source::document));

  /** An error about the whole definition or a file, already naming what it is about. */
  void general(String error) {
    general.add(error);
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
    bySource.computeIfAbsent(source, s -> new ArrayList<>()).add(error);
  }

  boolean any() {
    return !general.isEmpty() || !bySource.isEmpty();
  }

  List<String> all() {
    List<String> all = new ArrayList<>(general);
    bySource.values().forEach(all::addAll);
    return all;
  }
}
