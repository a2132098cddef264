package dev.meshboot.mesh.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * The App Mesh API model (botocore's {@code appmesh/2019-01-25/service-2.json}, shipped in the jar
 * beside its license): every shape with its members, required members, enums, limits and patterns.
 * It is the authority definitions are checked against.
 */
final class ApiModel {

  /** The copy in the jar. */
  static final String RESOURCE = "service-2.json.gz";

  /**
   * One shape of the model.
   *
   * @param type structure, list, map, string, integer, long, boolean, double, float, timestamp...
   * @param members a structure's members (member name → shape name), in the model's order
   * @param required a structure's required members
   * @param union a structure of which exactly one member may be set
   * @param min the least value (numbers), length (strings) or size (lists), if limited
   * @param max the greatest, if limited
   * @param values a string's allowed values, if an enum
   * @param pattern a string's pattern, if any
   * @param element a list's member shape, a map's value shape
   * @param key a map's key shape
   */
  record Shape(
      String name,
      String type,
      Map<String, String> members,
      Set<String> required,
      boolean union,
      @Nullable Long min,
      @Nullable Long max,
      List<String> values,
      @Nullable Pattern pattern,
      @Nullable String element,
      @Nullable String key) {}

  private static final class Bundled {
    static final ApiModel MODEL = load();

    private static ApiModel load() {
      try (InputStream in = ApiModel.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("the jar lacks " + RESOURCE + " beside ApiModel");
        }
        return read(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the bundled App Mesh API model", e);
      }
    }
  }

  private final Map<String, Shape> shapes;
  private final String apiVersion;

  private ApiModel(Map<String, Shape> shapes, String apiVersion) {
    this.shapes = shapes;
    this.apiVersion = apiVersion;
  }

  /** The model in the jar, read once. */
  static ApiModel bundled() {
    return Bundled.MODEL;
  }

  /** Reads a gzipped model. */
  static ApiModel read(InputStream gzipped) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(gzipped)) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Parses a model's JSON text. */
  static ApiModel parse(String json) {
    JsonObject root = JsonParser.parseString(json).getAsJsonObject();
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> entry : root.getAsJsonObject("shapes").entrySet()) {
      shapes.put(entry.getKey(), shape(entry.getKey(), entry.getValue().getAsJsonObject()));
    }
    return new ApiModel(shapes, root.getAsJsonObject("metadata").get("apiVersion").getAsString());
  }

  private static Shape shape(String name, JsonObject json) {
    Map<String, String> members = new LinkedHashMap<>();
    if (json.has("members")) {
      json.getAsJsonObject("members")
          .entrySet()
          .forEach(m -> members.put(m.getKey(), target(m.getValue())));
    }
    Set<String> required = new LinkedHashSet<>();
    if (json.has("required")) {
      json.getAsJsonArray("required").forEach(r -> required.add(r.getAsString()));
    }
    List<String> values = new ArrayList<>();
    if (json.has("enum")) {
      json.getAsJsonArray("enum").forEach(v -> values.add(v.getAsString()));
    }
    return new Shape(
        name,
        json.get("type").getAsString(),
        members,
        required,
        json.has("union") && json.get("union").getAsBoolean(),
        json.has("min") ? json.get("min").getAsLong() : null,
        json.has("max") ? json.get("max").getAsLong() : null,
        List.copyOf(values),
        json.has("pattern") ? Pattern.compile(json.get("pattern").getAsString()) : null,
        json.has("member")
            ? target(json.get("member"))
            : json.has("value") ? target(json.get("value")) : null,
        json.has("key") ? target(json.get("key")) : null);
  }

  private static String target(JsonElement reference) {
    return reference.getAsJsonObject().get("shape").getAsString();
  }

  /** The shape named {@code name}. */
  Shape shape(String name) {
    Shape shape = shapes.get(name);
    if (shape == null) {
      throw new IllegalArgumentException("the API model has no shape " + name);
    }
    return shape;
  }

  /** The model's API version: {@code 2019-01-25}. */
  String apiVersion() {
    return apiVersion;
  }
}
