package dev.meshboot.bootstrap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingEndEvent;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.events.SequenceEndEvent;
import org.snakeyaml.engine.v2.events.SequenceStartEvent;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/** Reads YAML (and therefore JSON) into the JSON tree the protobuf parser takes. */
public final class YamlTrees {
  private YamlTrees() {}

  /**
   * Parses YAML text; duplicate keys are errors.
   *
   * @param label names the input in errors
   * @return the tree, or JSON null for an empty document
   */
  public static JsonElement parse(String text, String label) {
    LoadSettings settings = settings(text, label);
    Object tree;
    try {
      checkDepth(text, settings, label);
      tree = new Load(settings).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new InvalidBootstrapException(label + ": not valid YAML or JSON: " + e.getMessage(), e);
    }
    return toJson(tree, label);
  }

  /**
   * Parses every document of a YAML stream ({@code ---} between documents), with the limits of
   * {@link #parse}; an empty document is JSON null.
   *
   * @param label names the input in errors
   */
  public static List<JsonElement> parseAll(String text, String label) {
    LoadSettings settings = settings(text, label);
    List<JsonElement> documents = new ArrayList<>();
    try {
      checkDepth(text, settings, label);
      for (Object tree : new Load(settings).loadAllFromString(text)) {
        documents.add(toJson(tree, label));
      }
    } catch (YamlEngineException e) {
      throw new InvalidBootstrapException(label + ": not valid YAML or JSON: " + e.getMessage(), e);
    }
    return documents;
  }

  private static LoadSettings settings(String text, String label) {
    return LoadSettings.builder()
        .setLabel(label)
        .setAllowDuplicateKeys(false)
        .setMaxAliasesForCollections(MAX_ALIASES)
        .setCodePointLimit(text.length() + 1)
        .build();
  }

  /** Deeper than any bootstrap (Envoy's own messages nest a few dozen levels). */
  static final int MAX_DEPTH = 100;

  /** Aliases to collections: a document of them can expand exponentially ("billion laughs"). */
  static final int MAX_ALIASES = 50;

  /**
   * The longest plain scalar that may read as a number: the composer turns an integer into a
   * BigInteger, whose parsing is quadratic (a megabyte of digits takes 16 s).
   */
  static final int MAX_NUMBER_LENGTH = 100;

  /**
   * Refuses nesting deeper than {@link #MAX_DEPTH} and numbers longer than {@link
   * #MAX_NUMBER_LENGTH} before the document is composed: the composer recurses per level, so a deep
   * enough document ends it in a StackOverflowError. The parser's events come without recursion.
   */
  private static void checkDepth(String text, LoadSettings settings, String label) {
    int depth = 0;
    for (Event event : new Parse(settings).parseString(text)) {
      if (event instanceof MappingStartEvent || event instanceof SequenceStartEvent) {
        if (++depth > MAX_DEPTH) {
          throw new InvalidBootstrapException(
              label + ": nested deeper than " + MAX_DEPTH + " levels, more than meshboot reads");
        }
      } else if (event instanceof MappingEndEvent || event instanceof SequenceEndEvent) {
        depth--;
      } else if (event instanceof ScalarEvent scalar
          && scalar.isPlain()
          && scalar.getValue().length() > MAX_NUMBER_LENGTH
          && startsLikeANumber(scalar.getValue())) {
        throw new InvalidBootstrapException(
            label
                + ": a number of more than "
                + MAX_NUMBER_LENGTH
                + " characters; quote it if it is text");
      }
    }
  }

  private static boolean startsLikeANumber(String value) {
    int i = value.charAt(0) == '-' || value.charAt(0) == '+' ? 1 : 0;
    return i < value.length() && (Character.isDigit(value.charAt(i)) || value.charAt(i) == '.');
  }

  private static JsonElement toJson(@Nullable Object node, String label) {
    // if/else rather than a pattern switch: each switch bootstraps at run time, costing start-up.
    if (node == null) {
      return JsonNull.INSTANCE;
    } else if (node instanceof Map<?, ?> map) {
      JsonObject out = new JsonObject();
      map.forEach((key, value) -> out.add(String.valueOf(key), toJson(value, label)));
      return out;
    } else if (node instanceof List<?> list) {
      JsonArray out = new JsonArray();
      list.forEach(item -> out.add(toJson(item, label)));
      return out;
    } else if (node instanceof Boolean flag) {
      return new JsonPrimitive(flag);
    } else if (node instanceof Number number) {
      return new JsonPrimitive(number);
    } else if (node instanceof String text) {
      return new JsonPrimitive(text);
    }
    throw new InvalidBootstrapException(
        label + ": unsupported YAML value " + node + " (" + node.getClass().getSimpleName() + ")");
  }
}
