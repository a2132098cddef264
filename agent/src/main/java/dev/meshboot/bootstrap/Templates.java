package dev.meshboot.bootstrap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bootstrap fragments of the templates module, filled in. A scalar that is exactly one {@code
 * ${name}} placeholder takes the value's JSON type (number, object, list...); placeholders inside
 * longer text are interpolated as text; a placeholder with no value removes its key.
 */
public final class Templates {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z0-9_.]+)}");

  private Templates() {}

  /** Every template, in the order their fragments are merged (which orders clusters and tags). */
  public static final List<String> NAMES =
      List.of(
          "base",
          "admin-tcp",
          "admin-uds",
          "admin-reuse-port",
          "ads-relay",
          "ads-direct-tcp",
          "ads-direct-unix",
          "ads-aws-iam",
          "xds-tls",
          "stats-tags",
          "metric-extension",
          "listener-tags",
          "dogstatsd-udp",
          "dogstatsd-uds",
          "tracing-xray",
          "tracing-datadog",
          "tracing-zipkin",
          "sds",
          "metrics");

  /**
   * Fills a template.
   *
   * @param values placeholder values; a placeholder absent from the map removes its key
   * @param provenance receives where each leaf of the result came from
   */
  public static JsonElement render(
      String name, Map<String, Value> values, Consumer<Provenance> provenance) {
    return fill(load(name), values, "", "template " + name, provenance);
  }

  static JsonElement load(String name) {
    try (Reader in =
        new InputStreamReader(
            EnvoySchema.resource("templates/" + name + ".json"), StandardCharsets.UTF_8)) {
      return JsonParser.parseReader(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read template " + name, e);
    }
  }

  private static JsonElement fill(
      JsonElement node,
      Map<String, Value> values,
      String path,
      String source,
      Consumer<Provenance> provenance) {
    if (node.isJsonObject()) {
      JsonObject out = new JsonObject();
      for (Map.Entry<String, JsonElement> entry : node.getAsJsonObject().entrySet()) {
        String key = entry.getKey();
        JsonElement child = entry.getValue();
        String childPath = path.isEmpty() ? key : path + "." + key;
        Value whole = wholePlaceholder(child, values);
        if (isPlaceholder(child) && whole == null) {
          continue;
        }
        if (whole != null) {
          out.add(key, whole.json().deepCopy());
          record(whole.json(), childPath, whole.source(), provenance);
        } else {
          out.add(key, fill(child, values, childPath, source, provenance));
        }
      }
      return out;
    }
    if (node.isJsonArray()) {
      JsonArray out = new JsonArray();
      JsonArray array = node.getAsJsonArray();
      for (int i = 0; i < array.size(); i++) {
        out.add(fill(array.get(i), values, elementPath(path, array.get(i), i), source, provenance));
      }
      return out;
    }
    if (node.isJsonPrimitive() && node.getAsJsonPrimitive().isString()) {
      Matcher matcher = PLACEHOLDER.matcher(node.getAsString());
      if (matcher.find()) {
        StringBuilder text = new StringBuilder();
        StringBuilder sources = new StringBuilder();
        matcher.reset();
        while (matcher.find()) {
          Value value = required(values, matcher.group(1));
          matcher.appendReplacement(text, Matcher.quoteReplacement(value.json().getAsString()));
          sources.append(sources.isEmpty() ? "" : ", ").append(value.source());
        }
        matcher.appendTail(text);
        provenance.accept(new Provenance(path, quoted(text.toString()), sources.toString()));
        return new JsonPrimitive(text.toString());
      }
    }
    provenance.accept(new Provenance(path, node.toString(), source));
    return node.deepCopy();
  }

  /** Attributes every leaf of a placeholder's value to the value's source. */
  static void record(
      JsonElement value, String path, String source, Consumer<Provenance> provenance) {
    if (value.isJsonObject() && value.getAsJsonObject().size() > 0) {
      value
          .getAsJsonObject()
          .entrySet()
          .forEach(e -> record(e.getValue(), path + "." + e.getKey(), source, provenance));
    } else if (value.isJsonArray() && !value.getAsJsonArray().isEmpty()) {
      JsonArray array = value.getAsJsonArray();
      for (int i = 0; i < array.size(); i++) {
        record(array.get(i), elementPath(path, array.get(i), i), source, provenance);
      }
    } else {
      provenance.accept(new Provenance(path, value.toString(), source));
    }
  }

  /** {@code clusters[meshboot_xds]} for named elements, which keeps paths stable across merges. */
  static String elementPath(String path, JsonElement element, int index) {
    if (element.isJsonObject()) {
      for (String key : List.of("name", "tag_name")) {
        JsonElement name = element.getAsJsonObject().get(key);
        if (name != null
            && name.isJsonPrimitive()
            && !PLACEHOLDER.matcher(name.getAsString()).find()) {
          return path + "[" + name.getAsString() + "]";
        }
      }
    }
    return path + "[" + index + "]";
  }

  private static boolean isPlaceholder(JsonElement node) {
    return node.isJsonPrimitive()
        && node.getAsJsonPrimitive().isString()
        && PLACEHOLDER.matcher(node.getAsString()).matches();
  }

  private static @org.jspecify.annotations.Nullable Value wholePlaceholder(
      JsonElement node, Map<String, Value> values) {
    if (!isPlaceholder(node)) {
      return null;
    }
    Matcher matcher = PLACEHOLDER.matcher(node.getAsString());
    return matcher.matches() ? values.get(matcher.group(1)) : null;
  }

  private static Value required(Map<String, Value> values, String name) {
    Value value = values.get(name);
    if (value == null) {
      throw new IllegalStateException("no value for ${" + name + "} inside a text template");
    }
    return value;
  }

  private static String quoted(String text) {
    return new JsonPrimitive(text).toString();
  }
}
