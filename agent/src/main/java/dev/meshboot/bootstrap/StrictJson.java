package dev.meshboot.bootstrap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Checks a JSON tree against a message type before the protobuf parser reads it, so that an error
 * names the field path ({@code static_resources.clusters[0].conect_timeout}) and not only the
 * message type; the parser stays the final authority. Also reports each leaf's canonical path.
 */
final class StrictJson {

  private static final Pattern DURATION = Pattern.compile("-?\\d+(\\.\\d{1,9})?s");
  private static final Map<String, String> WRAPPERS =
      Map.of(
          "google.protobuf.BoolValue", "a boolean",
          "google.protobuf.UInt32Value", "an integer 0-4294967295",
          "google.protobuf.UInt64Value", "an integer >= 0",
          "google.protobuf.Int32Value", "an integer",
          "google.protobuf.Int64Value", "an integer",
          "google.protobuf.DoubleValue", "a number",
          "google.protobuf.FloatValue", "a number",
          "google.protobuf.StringValue", "a string",
          "google.protobuf.BytesValue", "a base64 string");

  private final EnvoySchema schema;
  private final String label;
  private final Consumer<Provenance> leaves;

  private StrictJson(EnvoySchema schema, String label, Consumer<Provenance> leaves) {
    this.schema = schema;
    this.label = label;
    this.leaves = leaves;
  }

  /**
   * Checks {@code json} as a {@code type}.
   *
   * @param label names the input in errors and provenance, such as a file and its variable
   * @param leaves receives every leaf with its canonical path
   */
  static void check(
      JsonElement json,
      Descriptor type,
      EnvoySchema schema,
      String label,
      Consumer<Provenance> leaves) {
    new StrictJson(schema, label, leaves).message(json, type, "");
  }

  private void message(JsonElement json, Descriptor type, String path) {
    String name = type.getFullName();
    switch (name) {
      case "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue" -> {
        Templates.record(json, path, label, leaves);
        return;
      }
      case "google.protobuf.Duration" -> {
        if (!json.isJsonPrimitive() || !DURATION.matcher(json.getAsString()).matches()) {
          throw error(path, "expected a duration such as \"1s\" or \"0.250s\" but got " + json);
        }
        leaf(path, json);
        return;
      }
      case "google.protobuf.Timestamp", "google.protobuf.FieldMask" -> {
        expectPrimitive(json, path, "a string");
        leaf(path, json);
        return;
      }
      default -> {}
    }
    if (WRAPPERS.containsKey(name)) {
      scalar(json, type.findFieldByName("value"), path);
      return;
    }
    if (!json.isJsonObject()) {
      throw error(path, "expected an object (" + type.getName() + ") but got " + json);
    }
    JsonObject object = json.getAsJsonObject();
    if (name.equals("google.protobuf.Any")) {
      any(object, path);
      return;
    }
    fields(object, type, path, List.of());
  }

  private void any(JsonObject object, String path) {
    JsonElement typeUrl = object.get("@type");
    if (typeUrl == null || !typeUrl.isJsonPrimitive()) {
      throw error(path, "a typed config needs \"@type\"");
    }
    String url = typeUrl.getAsString();
    Descriptor type = schema.typeForUrl(url);
    if (type == null) {
      throw error(
          path + ".@type",
          "unknown type \"" + url + "\"; expected type.googleapis.com/<an Envoy API message>");
    }
    leaf(path + ".@type", typeUrl);
    if (isWellKnownJsonValue(type)) {
      JsonElement value = object.get("value");
      if (value != null) {
        message(value, type, path + ".value");
      }
      return;
    }
    fields(object, type, path, List.of("@type"));
  }

  private static boolean isWellKnownJsonValue(Descriptor type) {
    String name = type.getFullName();
    return name.startsWith("google.protobuf.") && !name.equals("google.protobuf.Empty");
  }

  private void fields(JsonObject object, Descriptor type, String path, List<String> skip) {
    Map<FieldDescriptor, String> seen = new HashMap<>();
    for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
      String key = entry.getKey();
      if (skip.contains(key)) {
        continue;
      }
      FieldDescriptor field = find(type, key);
      String fieldPath =
          path.isEmpty() ? fieldName(field, key) : path + "." + fieldName(field, key);
      if (field == null) {
        throw error(fieldPath, "no such field in " + type.getFullName());
      }
      String earlier = seen.put(field, key);
      if (earlier != null) {
        throw error(fieldPath, "given twice, as \"" + earlier + "\" and \"" + key + "\"");
      }
      value(entry.getValue(), field, fieldPath);
    }
  }

  private static String fieldName(
      @org.jspecify.annotations.Nullable FieldDescriptor field, String key) {
    return field == null ? key : field.getName();
  }

  private static @org.jspecify.annotations.Nullable FieldDescriptor find(
      Descriptor type, String key) {
    FieldDescriptor field = type.findFieldByName(key);
    if (field != null) {
      return field;
    }
    for (FieldDescriptor candidate : type.getFields()) {
      if (candidate.getJsonName().equals(key)) {
        return candidate;
      }
    }
    return null;
  }

  private void value(JsonElement json, FieldDescriptor field, String path) {
    if (json.isJsonNull()) {
      return;
    }
    if (field.isMapField()) {
      if (!json.isJsonObject()) {
        throw error(path, "expected an object (a map) but got " + json);
      }
      FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
      for (Map.Entry<String, JsonElement> entry : json.getAsJsonObject().entrySet()) {
        single(entry.getValue(), valueField, path + "[" + entry.getKey() + "]");
      }
      return;
    }
    if (field.isRepeated()) {
      if (!json.isJsonArray()) {
        throw error(path, "expected a list but got " + json);
      }
      JsonArray array = json.getAsJsonArray();
      for (int i = 0; i < array.size(); i++) {
        single(array.get(i), field, Templates.elementPath(path, array.get(i), i));
      }
      return;
    }
    single(json, field, path);
  }

  private void single(JsonElement json, FieldDescriptor field, String path) {
    switch (field.getJavaType()) {
      case MESSAGE -> message(json, field.getMessageType(), path);
      case ENUM -> enumValue(json, field.getEnumType(), path);
      default -> scalar(json, field, path);
    }
  }

  private void enumValue(JsonElement json, EnumDescriptor type, String path) {
    expectPrimitive(json, path, "one of " + names(type));
    EnumValueDescriptor value = type.findValueByName(json.getAsString());
    if (value == null && json.getAsJsonPrimitive().isNumber()) {
      value = type.findValueByNumber(json.getAsInt());
    }
    if (value == null) {
      throw error(path, "expected one of " + names(type) + " but got " + json);
    }
    leaf(path, json);
  }

  private static String names(EnumDescriptor type) {
    return String.join(", ", type.getValues().stream().map(EnumValueDescriptor::getName).toList());
  }

  private void scalar(JsonElement json, FieldDescriptor field, String path) {
    switch (field.getType()) {
      case BOOL -> {
        expectPrimitive(json, path, "true or false");
        if (!json.getAsJsonPrimitive().isBoolean()) {
          throw error(path, "expected true or false but got " + json);
        }
      }
      case INT32, SINT32, SFIXED32 -> integer(json, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case UINT32, FIXED32 -> integer(json, path, 0, 4294967295L);
      case INT64, SINT64, SFIXED64 -> integer(json, path, Long.MIN_VALUE, Long.MAX_VALUE);
      case UINT64, FIXED64 -> integer(json, path, 0, Long.MAX_VALUE);
      case DOUBLE, FLOAT -> number(json, path);
      case STRING, BYTES -> expectPrimitive(json, path, "a string");
      default -> {}
    }
    leaf(path, json);
  }

  private void integer(JsonElement json, String path, long min, long max) {
    String expected =
        min == 0 && max == 4294967295L
            ? "an integer 0-4294967295"
            : min == 0 ? "an integer >= 0" : "an integer";
    BigDecimal value = number(json, path);
    try {
      long exact = value.longValueExact();
      if (exact < min || exact > max) {
        throw error(path, "expected " + expected + " but got " + json);
      }
    } catch (ArithmeticException e) {
      throw error(path, "expected " + expected + " but got " + json);
    }
  }

  private BigDecimal number(JsonElement json, String path) {
    expectPrimitive(json, path, "a number");
    try {
      return new BigDecimal(json.getAsString().trim());
    } catch (NumberFormatException e) {
      throw error(path, "expected a number but got " + json);
    }
  }

  private void expectPrimitive(JsonElement json, String path, String expected) {
    if (!json.isJsonPrimitive()) {
      throw error(path, "expected " + expected + " but got " + json);
    }
  }

  private void leaf(String path, JsonElement json) {
    leaves.accept(new Provenance(path, json.toString(), label));
  }

  private InvalidBootstrapException error(String path, String problem) {
    return new InvalidBootstrapException(
        label + ": " + (path.isEmpty() ? "(top level)" : path) + ": " + problem);
  }
}
