package dev.meshboot.mesh.load;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Reading members of a JSON tree that fits its shape, without casts at every step. */
final class Json {

  private Json() {}

  static @Nullable JsonObject object(JsonObject object, String member) {
    JsonElement value = object.get(member);
    return value != null && value.isJsonObject() ? value.getAsJsonObject() : null;
  }

  static @Nullable String text(JsonObject object, String member) {
    JsonElement value = object.get(member);
    return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()
        ? value.getAsString()
        : null;
  }

  static @Nullable Integer integer(JsonObject object, String member) {
    JsonElement value = object.get(member);
    return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()
        ? value.getAsInt()
        : null;
  }

  /** The objects of a list member; none when absent. */
  static List<JsonObject> objects(JsonObject object, String member) {
    JsonElement value = object.get(member);
    List<JsonObject> objects = new ArrayList<>();
    if (value != null && value.isJsonArray()) {
      for (JsonElement item : value.getAsJsonArray()) {
        objects.add(item.isJsonObject() ? item.getAsJsonObject() : new JsonObject());
      }
    }
    return objects;
  }

  /** The texts of a list member; none when absent. */
  static List<String> texts(JsonObject object, String member) {
    JsonElement value = object.get(member);
    List<String> texts = new ArrayList<>();
    if (value != null && value.isJsonArray()) {
      JsonArray array = value.getAsJsonArray();
      array.forEach(item -> texts.add(item.getAsString()));
    }
    return texts;
  }

  /** The first member of {@code names} that {@code object} has, if any. */
  static @Nullable String firstOf(JsonObject object, List<String> names) {
    for (String name : names) {
      if (object.has(name)) {
        return name;
      }
    }
    return null;
  }

  /** The members of {@code names} that {@code object} has. */
  static List<String> present(JsonObject object, List<String> names) {
    return names.stream().filter(object::has).toList();
  }
}
