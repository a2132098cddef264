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
    Object tree;
    try {
      tree =
          new Load(LoadSettings.builder().setLabel(label).setAllowDuplicateKeys(false).build())
              .loadFromString(text);
    } catch (YamlEngineException e) {
      throw new InvalidBootstrapException(label + ": not valid YAML or JSON: " + e.getMessage(), e);
    }
    return toJson(tree, label);
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
