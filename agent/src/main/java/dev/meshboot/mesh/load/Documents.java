package dev.meshboot.mesh.load;

import com.google.gson.JsonElement;
import dev.meshboot.bootstrap.InvalidBootstrapException;
import dev.meshboot.bootstrap.YamlTrees;
import java.nio.file.Path;
import java.util.List;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

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
      if (e.getCause() instanceof MarkedYamlEngineException marked) {
        throw new Unreadable(file + ": not valid YAML or JSON: " + oneLine(marked));
      }
      throw new Unreadable(String.valueOf(e.getMessage()));
    }
  }

  /**
   * SnakeYAML's message spreads over lines with a copy of the text; errors are listed one a line,
   * so this says the problem and where it is: {@code mapping values are not allowed here at line 2
   * column 18 (while parsing a block mapping at line 1 column 1)}.
   */
  private static String oneLine(MarkedYamlEngineException e) {
    String problem = e.getProblem() == null ? "unreadable" : e.getProblem();
    String where = e.getProblemMark().map(Documents::at).orElse("");
    String context =
        e.getContext() == null
            ? ""
            : " (" + e.getContext() + e.getContextMark().map(Documents::at).orElse("") + ")";
    return problem + where + context;
  }

  private static String at(Mark mark) {
    return " at line " + (mark.getLine() + 1) + " column " + (mark.getColumn() + 1);
  }
}
