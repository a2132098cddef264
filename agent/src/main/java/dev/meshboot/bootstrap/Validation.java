package dev.meshboot.bootstrap;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a bootstrap against the protoc-gen-validate rules of the Envoy API, descending into typed
 * configs (which PGV's generated validators do not), and checks that each extension meshboot knows
 * has a config of the right type (the JSON parser accepts any known type in an extension slot).
 * Reports every problem with its field path.
 */
public final class Validation {

  private static final int MESSAGE_DISABLED = 1071;
  private static final int MESSAGE_IGNORED = 1072;

  private final EnvoySchema schema;
  private final Descriptor fieldRulesType;
  private final Map<FieldDescriptor, Optional<PgvRules>> cache = new HashMap<>();
  private final List<String> problems = new ArrayList<>();

  private Validation(EnvoySchema schema) {
    this.schema = schema;
    this.fieldRulesType = schema.findMessage("validate.FieldRules");
  }

  /**
   * Throws when the bootstrap breaks a rule.
   *
   * @param label names the bootstrap in the message
   */
  public static void check(Message bootstrap, EnvoySchema schema, String label) {
    check(bootstrap, schema, label, List.of());
  }

  /**
   * Throws when the bootstrap breaks a rule; each problem names where its field came from.
   *
   * @param provenance where the bootstrap's fields came from
   */
  public static void check(
      Message bootstrap, EnvoySchema schema, String label, List<Provenance> provenance) {
    List<String> problems = new ArrayList<>();
    for (String problem : problems(bootstrap, schema)) {
      String path = problem.substring(0, problem.indexOf(": "));
      String source =
          provenance.stream()
              .filter(p -> p.path().startsWith(path) || path.startsWith(p.path()))
              .map(Provenance::source)
              .findFirst()
              .map(s -> " (from " + s + ")")
              .orElse("");
      problems.add(problem + source);
    }
    if (!problems.isEmpty()) {
      throw new InvalidBootstrapException(
          label
              + " breaks "
              + problems.size()
              + " rule(s) of the Envoy API:\n  "
              + String.join("\n  ", problems));
    }
  }

  /** Every problem, as {@code path: problem}. */
  public static List<String> problems(Message bootstrap, EnvoySchema schema) {
    Validation validation = new Validation(schema);
    validation.message(bootstrap, "");
    return List.copyOf(validation.problems);
  }

  /** Every PGV rule kind the schema uses, as {@code kind.rule} (for the coverage test). */
  static Set<String> rulesUsed(EnvoySchema schema, List<Descriptor> types) {
    Validation validation = new Validation(schema);
    Set<String> used = new java.util.TreeSet<>();
    for (Descriptor type : types) {
      for (FieldDescriptor field : type.getFields()) {
        validation.rules(field).ifPresent(rules -> used.addAll(rules.used()));
      }
    }
    return used;
  }

  private void message(Message message, String path) {
    Descriptor type = message.getDescriptorForType();
    var options = type.getOptions().getUnknownFields();
    if (flag(options.getField(MESSAGE_DISABLED).getVarintList())
        || flag(options.getField(MESSAGE_IGNORED).getVarintList())) {
      return;
    }
    if (type.getFullName().equals("google.protobuf.Any")) {
      any(message, path);
      return;
    }
    for (OneofDescriptor oneof : type.getRealOneofs()) {
      if (flag(oneof.getOptions().getUnknownFields().getField(PgvRules.RULES).getVarintList())
          && !message.hasOneof(oneof)) {
        problems.add(at(path, oneof.getName()) + ": one of " + fieldNames(oneof) + " is required");
      }
    }
    for (FieldDescriptor field : type.getFields()) {
      String fieldPath = at(path, field.getName());
      Optional<PgvRules> rules = rules(field);
      boolean inOneof = field.getRealContainingOneof() != null;
      if (field.isRepeated()) {
        List<?> items = (List<?>) message.getField(field);
        rules
            .map(r -> r.checkCount(field, items))
            .ifPresent(p -> problems.add(fieldPath + ": " + p));
        if (field.isMapField()) {
          map(field, items, rules, fieldPath);
        } else {
          Optional<PgvRules> itemRules = rules.flatMap(r -> r.nested("repeated", "items"));
          for (int i = 0; i < items.size(); i++) {
            value(field, items.get(i), itemRules, elementPath(fieldPath, items.get(i), i), true);
          }
        }
        continue;
      }
      if (inOneof && !message.hasField(field)) {
        continue; // PGV checks a oneof member only when it is the one set
      }
      if (field.hasPresence() && !message.hasField(field)) {
        if (rules.isPresent() && rules.get().required()) {
          problems.add(fieldPath + ": is required");
        }
        continue;
      }
      value(field, message.getField(field), rules, fieldPath, true);
    }
    extensionType(message, path);
  }

  private void map(FieldDescriptor field, List<?> entries, Optional<PgvRules> rules, String path) {
    FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
    FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
    Optional<PgvRules> keyRules = rules.flatMap(r -> r.nested("map", "keys"));
    Optional<PgvRules> valueRules = rules.flatMap(r -> r.nested("map", "values"));
    for (Object entry : entries) {
      Message pair = (Message) entry;
      Object key = pair.getField(keyField);
      String entryPath = path + "[" + key + "]";
      keyRules.map(r -> r.check(key)).ifPresent(p -> problems.add(entryPath + " (key): " + p));
      value(valueField, pair.getField(valueField), valueRules, entryPath, true);
    }
  }

  private void value(
      FieldDescriptor field, Object value, Optional<PgvRules> rules, String path, boolean descend) {
    if (rules.isPresent() && !isPlainMessage(field)) {
      String problem = rules.get().check(unwrap(field, value));
      if (problem != null) {
        problems.add(path + ": " + problem);
      }
    }
    if (descend
        && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && !rules.map(PgvRules::skip).orElse(false)) {
      message((Message) value, path);
    }
  }

  /** Messages other than wrappers, durations, timestamps and Any carry only message rules. */
  private static boolean isPlainMessage(FieldDescriptor field) {
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
      return false;
    }
    String name = field.getMessageType().getFullName();
    return !name.startsWith("google.protobuf.")
        || name.equals("google.protobuf.Struct")
        || name.equals("google.protobuf.Empty");
  }

  /** Wrapper types (UInt32Value...) are checked by their value. */
  private static Object unwrap(FieldDescriptor field, Object value) {
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && field.getMessageType().getFullName().endsWith("Value")
        && field.getMessageType().getFullName().startsWith("google.protobuf.")) {
      Message wrapper = (Message) value;
      FieldDescriptor inner = wrapper.getDescriptorForType().findFieldByName("value");
      if (inner != null) {
        return wrapper.getField(inner);
      }
    }
    return value;
  }

  private void any(Message any, String path) {
    Descriptor anyType = any.getDescriptorForType();
    String url = (String) any.getField(anyType.findFieldByName("type_url"));
    Descriptor type = schema.typeForUrl(url);
    if (type == null) {
      problems.add(path + ": unknown type " + url);
      return;
    }
    try {
      message(
          DynamicMessage.parseFrom(
              type, (ByteString) any.getField(anyType.findFieldByName("value"))),
          path);
    } catch (InvalidProtocolBufferException e) {
      problems.add(path + ": cannot decode " + url);
    }
  }

  /**
   * {@code name} + {@code typed_config} pairs and typed protocol options must use allowed types.
   */
  private void extensionType(Message message, String path) {
    Descriptor type = message.getDescriptorForType();
    FieldDescriptor name = type.findFieldByName("name");
    FieldDescriptor typed = type.findFieldByName("typed_config");
    if (name != null
        && typed != null
        && name.getType() == FieldDescriptor.Type.STRING
        && message.hasField(typed)) {
      checkType(
          (String) message.getField(name),
          (Message) message.getField(typed),
          at(path, "typed_config"));
    }
    FieldDescriptor options = type.findFieldByName("typed_extension_protocol_options");
    if (options != null && options.isMapField()) {
      for (Object entry : (List<?>) message.getField(options)) {
        Message pair = (Message) entry;
        Descriptor pairType = pair.getDescriptorForType();
        String key = (String) pair.getField(pairType.findFieldByName("key"));
        checkType(
            key,
            (Message) pair.getField(pairType.findFieldByName("value")),
            at(path, "typed_extension_protocol_options") + "[" + key + "]");
      }
    }
  }

  private void checkType(String extension, Message any, String path) {
    Set<String> allowed = schema.extensions().get(extension);
    if (allowed == null) {
      return;
    }
    String url = (String) any.getField(any.getDescriptorForType().findFieldByName("type_url"));
    String typeName = url.substring(url.lastIndexOf('/') + 1);
    if (!allowed.contains(typeName)) {
      problems.add(
          path
              + ": extension "
              + extension
              + " takes "
              + String.join(" or ", allowed)
              + ", not "
              + typeName);
    }
  }

  private Optional<PgvRules> rules(FieldDescriptor field) {
    return cache.computeIfAbsent(field, f -> PgvRules.of(f, fieldRulesType));
  }

  private static boolean flag(List<Long> values) {
    return !values.isEmpty() && values.get(values.size() - 1) != 0;
  }

  private static String fieldNames(OneofDescriptor oneof) {
    return String.join(", ", oneof.getFields().stream().map(FieldDescriptor::getName).toList());
  }

  private static String at(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String elementPath(String path, Object item, int index) {
    if (item instanceof Message element) {
      FieldDescriptor name = element.getDescriptorForType().findFieldByName("name");
      if (name != null
          && name.getType() == FieldDescriptor.Type.STRING
          && !((String) element.getField(name)).isEmpty()) {
        return path + "[" + element.getField(name) + "]";
      }
    }
    return path + "[" + index + "]";
  }
}
