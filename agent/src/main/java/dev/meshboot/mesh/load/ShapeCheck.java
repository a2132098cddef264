package dev.meshboot.mesh.load;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks a JSON value against a shape of the App Mesh API model, generically: types, unknown and
 * required members, unions (exactly one member), enums, patterns, numeric ranges, string lengths
 * and list sizes; members the {@link Support} table refuses are errors with its reason. What the
 * API's own validation (botocore's, then the service's) would have refused, with the JSON path.
 */
final class ShapeCheck {

  /** Receives each error: the JSON path ({@code $.spec.listeners[0]}) and what is wrong. */
  interface Report {
    void error(String path, String message);
  }

  private final ApiModel model;
  private final boolean appMesh;

  /** A check against the App Mesh model, with meshboot's support table and App Mesh's rules. */
  ShapeCheck(ApiModel model) {
    this(model, true);
  }

  private ShapeCheck(ApiModel model, boolean appMesh) {
    this.model = model;
    this.appMesh = appMesh;
  }

  /**
   * A check against another service's model (ECS's, for the platform kits): only what the model
   * says; App Mesh's support table and rules, keyed by shape name, must not reach a shape of the
   * same name there (both have a {@code PortMapping}).
   */
  static ShapeCheck modelOnly(ApiModel model) {
    return new ShapeCheck(model, false);
  }

  /**
   * Checks {@code value}, found at {@code path}, against shape {@code shape}.
   *
   * @param skip members of the top structure left unchecked (a describe response's output-only
   *     {@code metadata} and {@code status})
   */
  void check(JsonElement value, String shape, String path, List<String> skip, Report report) {
    ApiModel.Shape model = this.model.shape(shape);
    if (value.isJsonNull()) {
      report.error(path, "has no value (null); give one or leave the member out");
      return;
    }
    switch (model.type()) {
      case "structure" -> structure(value, model, path, skip, report);
      case "list" -> list(value, model, path, report);
      case "map" -> map(value, model, path, report);
      case "string" -> string(value, model, path, report);
      case "integer" -> integer(value, model, path, Integer.MIN_VALUE, Integer.MAX_VALUE, report);
      case "long" -> integer(value, model, path, Long.MIN_VALUE, Long.MAX_VALUE, report);
      case "double", "float" -> number(value, model, path, report);
      case "boolean" -> {
        if (!(value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean())) {
          report.error(path, "expected true or false but got " + Values.describe(value));
        }
      }
      case "timestamp" -> {
        if (!(value.isJsonPrimitive() && !value.getAsJsonPrimitive().isBoolean())) {
          report.error(path, "expected a timestamp but got " + Values.describe(value));
        }
      }
      default ->
          report.error(path, "cannot be checked: the model's type " + model.type() + " is unknown");
    }
  }

  private void structure(
      JsonElement value, ApiModel.Shape shape, String path, List<String> skip, Report outer) {
    if (!value.isJsonObject()) {
      outer.error(path, "expected an object but got " + Values.describe(value));
      return;
    }
    int[] errors = {0};
    Report report =
        (at, message) -> {
          errors[0]++;
          outer.error(at, message);
        };
    JsonObject object = value.getAsJsonObject();
    List<String> present = new ArrayList<>();
    for (Map.Entry<String, JsonElement> member : object.entrySet()) {
      String name = member.getKey();
      String at = Values.path(path, name);
      if (skip.contains(name)) {
        continue;
      }
      String target = shape.members().get(name);
      if (target == null) {
        report.error(
            at, "unknown member; expected one of " + String.join(", ", shape.members().keySet()));
        continue;
      }
      present.add(name);
      Optional<Support.Entry> support = appMesh ? Support.of(shape.name(), name) : Optional.empty();
      if (support.isPresent() && support.get().status() == Support.Status.REFUSED) {
        report.error(at, support.get().reason());
        continue;
      }
      check(member.getValue(), target, at, List.of(), report);
    }
    for (String required : shape.required()) {
      if (!object.has(required) && !skip.contains(required)) {
        report.error(Values.path(path, required), "required but missing");
      }
    }
    if (shape.union() && present.size() != 1) {
      report.error(
          path,
          "expected exactly one of "
              + String.join(", ", shape.members().keySet())
              + " but got "
              + (present.isEmpty() ? "none" : String.join(", ", present)));
    }
    if (errors[0] == 0 && appMesh) {
      ShapeRules.check(shape.name(), object, path, report);
    }
  }

  private void list(JsonElement value, ApiModel.Shape shape, String path, Report report) {
    if (!value.isJsonArray()) {
      report.error(path, "expected a list but got " + Values.describe(value));
      return;
    }
    JsonArray array = value.getAsJsonArray();
    limit(array.size(), shape, "items", path, report);
    for (int i = 0; i < array.size(); i++) {
      check(array.get(i), element(shape), path + "[" + i + "]", List.of(), report);
    }
  }

  private void map(JsonElement value, ApiModel.Shape shape, String path, Report report) {
    if (!value.isJsonObject()) {
      report.error(path, "expected an object but got " + Values.describe(value));
      return;
    }
    JsonObject object = value.getAsJsonObject();
    limit(object.size(), shape, "entries", path, report);
    String key = shape.key();
    for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
      String at = Values.path(path, entry.getKey());
      if (key != null) {
        check(new JsonPrimitive(entry.getKey()), key, at, List.of(), report);
      }
      check(entry.getValue(), element(shape), at, List.of(), report);
    }
  }

  private static String element(ApiModel.Shape shape) {
    String element = shape.element();
    if (element == null) {
      throw new IllegalStateException(
          "the model's " + shape.type() + " " + shape.name() + " has no member shape");
    }
    return element;
  }

  private static void string(JsonElement value, ApiModel.Shape shape, String path, Report report) {
    if (!(value.isJsonPrimitive() && value.getAsJsonPrimitive().isString())) {
      report.error(path, "expected a string but got " + Values.describe(value));
      return;
    }
    String text = value.getAsString();
    if (!shape.values().isEmpty() && !shape.values().contains(text)) {
      report.error(
          path,
          "expected one of "
              + String.join(", ", shape.values())
              + " but got "
              + Values.describe(value));
      return;
    }
    limit(text.codePointCount(0, text.length()), shape, "characters", path, report);
    Pattern pattern = shape.pattern();
    if (pattern != null && !pattern.matcher(text).find()) {
      report.error(
          path,
          "expected text matching " + pattern.pattern() + " but got " + Values.describe(value));
    }
  }

  private static void integer(
      JsonElement value, ApiModel.Shape shape, String path, long least, long most, Report report) {
    Optional<BigInteger> number = Values.integer(value);
    if (number.isEmpty()) {
      report.error(path, "expected an integer but got " + Values.describe(value));
      return;
    }
    BigInteger n = number.get();
    Long min = shape.min();
    Long max = shape.max();
    long low = min == null ? least : Math.max(min, least);
    long high = max == null ? most : Math.min(max, most);
    boolean below = n.compareTo(BigInteger.valueOf(low)) < 0;
    if (below || n.compareTo(BigInteger.valueOf(high)) > 0) {
      report.error(path, "expected " + range(min, max, below, low, high) + " but got " + n);
    }
  }

  private static void number(JsonElement value, ApiModel.Shape shape, String path, Report report) {
    if (!(value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber())
        || !Double.isFinite(value.getAsDouble())) {
      report.error(path, "expected a number but got " + Values.describe(value));
      return;
    }
    double n = value.getAsDouble();
    Long min = shape.min();
    Long max = shape.max();
    boolean below = min != null && n < min;
    if (below || (max != null && n > max)) {
      report.error(
          path,
          "expected "
              + range(min, max, below, min == null ? 0 : min, max == null ? 0 : max)
              + " but got "
              + Values.describe(value));
    }
  }

  /** What was expected of a number out of range: both limits when the model gives both. */
  private static String range(
      @Nullable Long min, @Nullable Long max, boolean below, long low, long high) {
    if (min != null && max != null) {
      return min + " to " + max;
    }
    return below ? "at least " + low : "at most " + high;
  }

  /** A count (characters, items, entries) against the shape's min and max. */
  private static void limit(
      long count, ApiModel.Shape shape, String unit, String path, Report report) {
    Long min = shape.min();
    Long max = shape.max();
    if ((min != null && count < min) || (max != null && count > max)) {
      String expected =
          min != null && max != null
              ? min + " to " + max
              : min != null ? "at least " + min : "at most " + max;
      report.error(path, "expected " + expected + " " + unit + " but got " + count);
    }
  }
}
