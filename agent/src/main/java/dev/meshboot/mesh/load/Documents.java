package dev.meshboot.mesh.load;

import com.google.gson.JsonElement;
import dev.meshboot.bootstrap.InvalidBootstrapException;
import dev.meshboot.bootstrap.YamlTrees;
import java.nio.file.Path;
import java.util.List;

/**
 * The documents of a file: a {@code .json} file is one strict JSON value ({@link StrictJson}); a
 * {@code .yaml} or {@code .yml} file is a YAML stream of documents, read with {@link YamlTrees}'
 * bounds (depth, aliases, duplicate keys, number length).
 */
final class Documents {

  /** Why a file could not be parsed; the message names the file. */
  static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreadable(String message) {
      super(message);
    }
  }

  private Documents() {}

  static List<JsonElement> parse(Path file, String text) throws Unreadable {
    // Editors on Windows start UTF-8 files with a byte order mark, which neither parser skips.
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    if (String.valueOf(file.getFileName()).endsWith(".json")) {
      try {
        return List.of(StrictJson.parse(body));
      } catch (StrictJson.Malformed e) {
        throw new Unreadable(file + ": not valid JSON: " + e.getMessage());
      }
    }
    try {
      return YamlTrees.parseAll(body, file.toString());
    } catch (InvalidBootstrapException e) {
      throw new Unreadable(String.valueOf(e.getMessage()));
    }
  }
}
