package dev.meshboot.bootstrap;

import com.google.gson.JsonElement;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.meshboot.config.AgentConfig;
import dev.meshboot.config.ConfigException;
import dev.meshboot.config.TracingConfig;
import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Merges the user's bootstrap files into the generated bootstrap (contract §6), in the order
 * tracing, stats config, stats sinks, resources. Each file is parsed strictly as a {@code
 * Bootstrap}: errors name the variable, the file and the field path.
 */
final class UserFragments {

  private static final Log log = Log.of(UserFragments.class);

  private final EnvoySchema schema;
  private final DynamicMessage.Builder bootstrap;
  private final List<Provenance> provenance;

  UserFragments(EnvoySchema schema, DynamicMessage.Builder bootstrap, List<Provenance> provenance) {
    this.schema = schema;
    this.bootstrap = bootstrap;
    this.provenance = provenance;
  }

  void merge(AgentConfig config) {
    if (config.tracing() instanceof TracingConfig.FromFile(Path file)) {
      DynamicMessage tracing = readOnly(Variables.ENVOY_TRACING_CFG_FILE, file, "tracing");
      copy(tracing, "tracing");
    }
    config
        .files()
        .statsConfig()
        .ifPresent(
            file ->
                copy(
                    readOnly(Variables.ENVOY_STATS_CONFIG_FILE, file, "stats_config"),
                    "stats_config"));
    config
        .files()
        .statsSinks()
        .ifPresent(
            file ->
                copy(
                    readOnly(Variables.ENVOY_STATS_SINKS_CFG_FILE, file, "stats_sinks"),
                    "stats_sinks"));
    config.files().resources().ifPresent(this::mergeResources);
  }

  /** A whole bootstrap from {@code ENVOY_CONFIG_FILE}, parsed and checked; empty when blank. */
  static Optional<DynamicMessage> whole(
      EnvoySchema schema, Path file, String label, List<Provenance> provenance) {
    return read(schema, label, file, provenance);
  }

  private void mergeResources(Path file) {
    Variable variable = Variables.ENVOY_RESOURCES_CONFIG_FILE;
    Optional<DynamicMessage> resources = read(schema, variable, file, provenance);
    if (resources.isEmpty()) {
      log.warn(
          "resources file is empty; nothing merged", "variable", variable.name(), "file", file);
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> entry : resources.get().getAllFields().entrySet()) {
      FieldDescriptor field = entry.getKey();
      String name = field.getName();
      switch (name) {
        case "static_resources" -> {
          DynamicMessage.Builder merged = DynamicMessage.newBuilder(field.getMessageType());
          if (bootstrap.hasField(field)) {
            merged.mergeFrom((DynamicMessage) bootstrap.getField(field));
          }
          merged.mergeFrom((DynamicMessage) entry.getValue());
          bootstrap.setField(field, merged.build());
        }
        case "stats_sinks" ->
            ((List<?>) entry.getValue()).forEach(sink -> bootstrap.addRepeatedField(field, sink));
        case "tracing", "stats_config" -> {
          if (bootstrap.hasField(field)) {
            throw new InvalidBootstrapException(
                variable.name()
                    + " ("
                    + file
                    + "): "
                    + name
                    + " is already configured (by the environment or another file); a second "
                    + name
                    + " is not merged. Remove it from this file, or configure "
                    + name
                    + " only here");
          }
          bootstrap.setField(field, entry.getValue());
        }
        default -> {
          if (field.isRepeated()
              ? bootstrap.getRepeatedFieldCount(field) > 0
              : bootstrap.hasField(field)) {
            log.info("resources file replaces a generated key", "key", name, "file", file);
            provenance.removeIf(
                p ->
                    (p.path().equals(name)
                            || p.path().startsWith(name + ".")
                            || p.path().startsWith(name + "["))
                        && !p.source().startsWith("file " + file));
          }
          bootstrap.setField(field, entry.getValue());
        }
      }
    }
  }

  /** Reads a file that must hold exactly one top-level key. */
  private DynamicMessage readOnly(Variable variable, Path file, String key) {
    DynamicMessage message =
        read(schema, variable, file, provenance)
            .orElseThrow(
                () ->
                    new InvalidBootstrapException(
                        variable.name()
                            + " ("
                            + file
                            + "): the file is empty; it must hold "
                            + key));
    List<String> keys = new ArrayList<>();
    message.getAllFields().keySet().forEach(field -> keys.add(field.getName()));
    if (!keys.equals(List.of(key))) {
      throw new InvalidBootstrapException(
          variable.name() + " (" + file + "): expected only the key " + key + " but found " + keys);
    }
    return message;
  }

  private void copy(DynamicMessage from, String key) {
    FieldDescriptor field = schema.bootstrap().findFieldByName(key);
    if (field.isRepeated()) {
      ((List<?>) from.getField(field)).forEach(item -> bootstrap.addRepeatedField(field, item));
    } else {
      bootstrap.setField(field, from.getField(field));
    }
  }

  private static Optional<DynamicMessage> read(
      EnvoySchema schema, Variable variable, Path file, List<Provenance> provenance) {
    return read(schema, variable.name(), file, provenance);
  }

  private static Optional<DynamicMessage> read(
      EnvoySchema schema, String subject, Path file, List<Provenance> provenance) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(subject, subject + ": cannot read " + file + ": " + describe(e));
    }
    String label = subject + " (" + file + ")";
    JsonElement json = YamlTrees.parse(text, label);
    if (json.isJsonNull() || (json.isJsonObject() && json.getAsJsonObject().size() == 0)) {
      return Optional.empty();
    }
    List<Provenance> leaves = new ArrayList<>();
    StrictJson.check(
        json, schema.bootstrap(), schema, "file " + file + " (" + subject + ")", leaves::add);
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(schema.bootstrap());
    try {
      JsonFormat.parser().usingTypeRegistry(schema.typeRegistry()).merge(json.toString(), builder);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidBootstrapException(label + ": " + e.getMessage(), e);
    }
    provenance.addAll(leaves);
    return Optional.of(builder.build());
  }

  static String describe(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException
        ? "no such file"
        : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
