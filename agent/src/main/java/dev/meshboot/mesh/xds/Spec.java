package dev.meshboot.mesh.xds;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.Duration;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reading a validated spec: optional members as {@link Optional}, App Mesh durations as protobuf
 * durations. The loader has checked shapes, enums and ranges against the API model; what it cannot
 * have checked (a member App Mesh needs for translation) fails with {@link #fail}, naming the
 * resource and the JSON path.
 */
final class Spec {

  private Spec() {}

  static Optional<JsonObject> object(JsonObject parent, String member) {
    JsonElement value = parent.get(member);
    return value != null && value.isJsonObject()
        ? Optional.of(value.getAsJsonObject())
        : Optional.empty();
  }

  static Optional<String> string(JsonObject parent, String member) {
    JsonElement value = parent.get(member);
    return value != null && value.isJsonPrimitive()
        ? Optional.of(value.getAsString())
        : Optional.empty();
  }

  static Optional<Long> number(JsonObject parent, String member) {
    JsonElement value = parent.get(member);
    return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()
        ? Optional.of(value.getAsLong())
        : Optional.empty();
  }

  static Optional<Boolean> bool(JsonObject parent, String member) {
    JsonElement value = parent.get(member);
    return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()
        ? Optional.of(value.getAsBoolean())
        : Optional.empty();
  }

  /** The objects of array {@code member} (none when absent). */
  static List<JsonObject> objects(JsonObject parent, String member) {
    JsonElement value = parent.get(member);
    List<JsonObject> out = new ArrayList<>();
    if (value != null && value.isJsonArray()) {
      for (JsonElement item : value.getAsJsonArray()) {
        if (item.isJsonObject()) {
          out.add(item.getAsJsonObject());
        }
      }
    }
    return out;
  }

  /** The strings of array {@code member} (none when absent). */
  static List<String> strings(JsonObject parent, String member) {
    JsonElement value = parent.get(member);
    List<String> out = new ArrayList<>();
    if (value != null && value.isJsonArray()) {
      for (JsonElement item : (JsonArray) value) {
        out.add(item.getAsString());
      }
    }
    return out;
  }

  /** The numbers of array {@code member} (none when absent). */
  static List<Long> numbers(JsonObject parent, String member) {
    JsonElement value = parent.get(member);
    List<Long> out = new ArrayList<>();
    if (value != null && value.isJsonArray()) {
      for (JsonElement item : (JsonArray) value) {
        out.add(item.getAsLong());
      }
    }
    return out;
  }

  /** The one member set in a union ({@code {"http": {...}}}), with its name. */
  static Optional<Member> union(JsonObject parent, String member) {
    return object(parent, member)
        .flatMap(
            union ->
                union.entrySet().stream()
                    .filter(e -> e.getValue().isJsonObject())
                    .map(e -> new Member(e.getKey(), e.getValue().getAsJsonObject()))
                    .findFirst());
  }

  /** A union member: its name and value. */
  record Member(String name, JsonObject value) {}

  /**
   * An App Mesh {@code Duration} ({@code {"value": 15, "unit": "s"}}) as a protobuf duration;
   * {@code path} names it in errors.
   */
  static Duration duration(Resource resource, JsonObject duration, String path) {
    long value =
        number(duration, "value")
            .orElseThrow(() -> fail(resource, path + ".value", "a duration needs a value"));
    String unit =
        string(duration, "unit")
            .orElseThrow(() -> fail(resource, path + ".unit", "a duration needs a unit (s or ms)"));
    long millis =
        switch (unit) {
          case "s" -> Math.multiplyExact(value, 1000L);
          case "ms" -> value;
          default -> throw fail(resource, path + ".unit", "unit must be s or ms, not " + unit);
        };
    if (millis / 1000 > 315_576_000_000L) {
      throw fail(resource, path + ".value", "a duration of at most 10,000 years");
    }
    return Duration.newBuilder()
        .setSeconds(millis / 1000)
        .setNanos((int) (millis % 1000) * 1_000_000)
        .build();
  }

  /** A duration member of {@code parent}, if present. */
  static Optional<Duration> duration(
      Resource resource, JsonObject parent, String member, String path) {
    return object(parent, member).map(d -> duration(resource, d, path + "." + member));
  }

  static Duration seconds(long seconds) {
    return Duration.newBuilder().setSeconds(seconds).build();
  }

  static Duration millis(long millis) {
    return Duration.newBuilder()
        .setSeconds(millis / 1000)
        .setNanos((int) (millis % 1000) * 1_000_000)
        .build();
  }

  /**
   * An error in {@code resource}'s definition at {@code path} (from {@code spec}), with where it is
   * defined: what the translation could not make of a definition the loader accepted.
   */
  static MeshException fail(Resource resource, String path, String message) {
    return new MeshException(
        List.of(resource.source() + ": " + resource.describe() + ": " + path + ": " + message));
  }
}
