package dev.meshboot.mesh;

import java.nio.file.Path;

/**
 * Where a resource is defined: a file and, for a file of several YAML documents, which one (from
 * 1); errors name it with the JSON path within the document.
 */
public record Source(Path file, int document) {

  @Override
  public String toString() {
    return document > 1 ? file + " (document " + document + ")" : file.toString();
  }
}
