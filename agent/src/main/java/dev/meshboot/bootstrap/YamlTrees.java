package dev.meshboot.bootstrap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingEndEvent;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
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
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(label)
            .setAllowDuplicateKeys(false)
            .setMaxAliasesForCollections(MAX_ALIASES)
            .setCodePointLimit(text.length() + 1)
            .build();
    Object tree;
    try {
      checkDepth(text, settings, label);
      tree = new Load(settings).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new InvalidBootstrapException(label + ": not valid YAML or JSON: " + e.getMessage(), e);
    }
    return toJson(tree, label);
  }

  /** Deeper than any bootstrap (Envoy's own messages nest a few dozen levels). */
  static final int MAX_DEPTH = 100;

  /** Aliases to collections: a document of them can expand exponentially ("billion laughs"). */
  static final int MAX_ALIASES = 50;

  /**
   * Refuses nesting deeper than {@link #MAX_DEPTH} before the document is composed: the composer
   * recurses per level, so a deep enough document ends it in a StackOverflowError. The parser's
   * events come without recursion.
   */
  private static void checkDepth(String text, LoadSettings settings, String label) {
    int depth = 0;
    for (Event event : new Parse(settings).parseString(text)) {
      if (event instanceof MappingStartEvent || event instanceof SequenceStartEvent) {
        if (++depth > MAX_DEPTH) {
          throw new InvalidBootstrapException(
              label + ": nested deeper than " + MAX_DEPTH + " levels, more than any bootstrap");
        }
      } else if (event instanceof MappingEndEvent || event instanceof SequenceEndEvent) {
        depth--;
      }
    }
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
