package dev.meshboot.templates;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which fields of which Envoy messages the templates set. The agent renders its own bootstraps with
 * a schema cut down to these fields: building descriptors is most of its start-up time, and files a
 * user supplies are read with the full schema instead.
 *
 * <p>A field whose value is a whole {@code ${placeholder}} keeps its type entire, since the agent
 * fills it at run time; typed configs ({@code Any}) are followed through their {@code @type}.
 */
final class TemplateUsage {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[a-z0-9_.]+}");

  private final Map<String, Descriptor> api;
  private final Map<String, Set<String>> fields = new LinkedHashMap<>();
  private final Set<Descriptor> whole = new HashSet<>();
  private final Set<Descriptor> typedConfigs = new HashSet<>();

  TemplateUsage(Map<String, Descriptor> api) {
    this.api = api;
  }

  /** Records the fields {@code json}, a template of message {@code type}, sets. */
  void walk(String template, JsonElement json, Descriptor type) {
    if (type.getFullName().startsWith("google.protobuf.")) {
      whole.add(type);
      return;
    }
    if (!json.isJsonObject()) {
      throw new IllegalArgumentException(
          template + ": expected an object for " + type.getFullName());
    }
    JsonObject object = json.getAsJsonObject();
    Set<String> used = fields.computeIfAbsent(type.getFullName(), name -> new TreeSet<>());
    for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
      FieldDescriptor field = type.findFieldByName(entry.getKey());
      if (field == null) {
        throw new IllegalArgumentException(
            template
                + ": no field "
                + entry.getKey()
                + " in "
                + type.getFullName()
                + " (use proto field names)");
      }
      used.add(field.getName());
      JsonElement value = entry.getValue();
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (isPlaceholder(value) || field.isMapField()) {
        whole.add(field.getMessageType());
        if (field.isMapField()) {
          FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
          if (valueField.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            value
                .getAsJsonObject()
                .entrySet()
                .forEach(e -> message(template, e.getValue(), valueField.getMessageType()));
          }
        }
      } else if (field.isRepeated()) {
        value.getAsJsonArray().forEach(item -> message(template, item, field.getMessageType()));
      } else {
        message(template, value, field.getMessageType());
      }
    }
  }

  private void message(String template, JsonElement json, Descriptor type) {
    if (isPlaceholder(json)) {
      whole.add(type);
    } else if (type.getFullName().equals("google.protobuf.Any")) {
      whole.add(type);
      JsonObject any = json.getAsJsonObject().deepCopy();
      String url = any.remove("@type").getAsString();
      Descriptor typed = api.get(url.substring(url.lastIndexOf('/') + 1));
      if (typed == null) {
        throw new IllegalArgumentException(template + ": unknown @type " + url);
      }
      typedConfigs.add(typed);
      walk(template, any, typed);
    } else {
      walk(template, json, type);
    }
  }

  private static boolean isPlaceholder(JsonElement json) {
    return json.isJsonPrimitive() && PLACEHOLDER.matcher(json.getAsString()).matches();
  }

  /** Message → the fields kept, for the messages the templates set only partly. */
  Map<String, Set<String>> partial() {
    Map<String, Set<String>> out = new LinkedHashMap<>(fields);
    whole.forEach(type -> out.remove(type.getFullName()));
    return out;
  }

  /**
   * The roots besides {@code Bootstrap}: types kept entire, and the types of typed configs (which
   * no field names, so the pruner would not reach them).
   */
  List<Descriptor> roots() {
    List<Descriptor> roots = new java.util.ArrayList<>(whole);
    roots.addAll(typedConfigs);
    return roots;
  }
}
