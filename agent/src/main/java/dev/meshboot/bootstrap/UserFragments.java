package dev.meshboot.bootstrap;

import com.google.gson.JsonElement;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.meshboot.config.AgentConfig;
import dev.meshboot.config.InputFiles;
import dev.meshboot.config.TracingConfig;
import dev.meshboot.config.Variable;
import dev.meshboot.config.Variables;
import dev.meshboot.log.Log;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Merges the user's bootstrap files into the generated bootstrap (contract §6) as AWS's agent did:
 * in the order tracing, stats config, stats sinks, resources, each file as general bootstrap
 * configuration (users put a collector's cluster beside its tracer): {@code tracing} and {@code
 * stats_config} may be given once, {@code stats_sinks} and the static resources' listeners,
 * clusters and secrets are appended, any other key replaces the value before it (with a warning).
 * Each file is parsed strictly as a {@code Bootstrap}: errors name the variable, the file and the
 * field path; the merged result is validated as a whole afterwards.
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
      warnWithout(merge(Variables.ENVOY_TRACING_CFG_FILE, file, true), "tracing", "no tracer");
    }
    config
        .files()
        .statsConfig()
        .ifPresent(
            file ->
                warnWithout(
                    merge(Variables.ENVOY_STATS_CONFIG_FILE, file, true),
                    "stats_config",
                    "no stats tags (the file replaces the generated ones)"));
    config
        .files()
        .statsSinks()
        .ifPresent(
            file -> {
              merge(Variables.ENVOY_STATS_SINKS_CFG_FILE, file, true);
              if (bootstrap.getRepeatedFieldCount(field("stats_sinks")) == 0) {
                throw new InvalidBootstrapException(
                    Variables.ENVOY_STATS_SINKS_CFG_FILE.name()
                        + " ("
                        + file
                        + "): no stats_sinks in the bootstrap once it is merged; the file replaces"
                        + " the DogStatsD variables, so it must hold stats_sinks");
              }
            });
    config
        .files()
        .resources()
        .ifPresent(file -> merge(Variables.ENVOY_RESOURCES_CONFIG_FILE, file, false));
  }

  /**
   * A whole bootstrap from {@code ENVOY_CONFIG_FILE}, parsed and checked; empty when blank.
   *
   * @param text the file's content, as read
   */
  static Optional<DynamicMessage> whole(
      EnvoySchema schema, String text, Path file, String label, List<Provenance> provenance) {
    return parse(schema, label, text, file, provenance);
  }

  /**
   * Merges one file; an empty one is an error when {@code required} (the tracing, stats and sinks
   * files replace generated configuration), else ignored with a warning (the resources file).
   */
  private Optional<DynamicMessage> merge(Variable variable, Path file, boolean required) {
    Optional<DynamicMessage> read = read(schema, variable, file, provenance);
    if (read.isEmpty()) {
      if (required) {
        throw new InvalidBootstrapException(variable.name() + " (" + file + "): the file is empty");
      }
      log.warn("file is empty; nothing merged", "variable", variable.name(), "file", file);
      return read;
    }
    for (Map.Entry<FieldDescriptor, Object> entry : read.get().getAllFields().entrySet()) {
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
            log.warn(
                "a user file replaces an existing key",
                "key",
                name,
                "variable",
                variable.name(),
                "file",
                file);
            provenance.removeIf(
                p ->
                    (p.path().equals(name)
                            || p.path().startsWith(name + ".")
                            || p.path().startsWith(name + "["))
                        && !p.source().startsWith("file " + file + " ("));
          }
          bootstrap.setField(field, entry.getValue());
        }
      }
    }
    return read;
  }

  /**
   * A tracing or stats file without the key its variable is for is merged (as App Mesh's agent
   * did), but what that leaves out is said: the generated configuration it replaces is gone.
   */
  private void warnWithout(Optional<DynamicMessage> read, String key, String consequence) {
    if (read.isPresent() && !read.get().hasField(field(key))) {
      log.warn("a user file holds no " + key + ": Envoy runs with " + consequence, "key", key);
    }
  }

  private FieldDescriptor field(String name) {
    return schema.bootstrap().findFieldByName(name);
  }

  private static Optional<DynamicMessage> read(
      EnvoySchema schema, Variable variable, Path file, List<Provenance> provenance) {
    return read(schema, variable.name(), file, provenance);
  }

  private static Optional<DynamicMessage> read(
      EnvoySchema schema, String subject, Path file, List<Provenance> provenance) {
    return parse(
        schema, subject, InputFiles.read(file, subject, InputFiles.CONFIG_LIMIT), file, provenance);
  }

  private static Optional<DynamicMessage> parse(
      EnvoySchema schema, String subject, String text, Path file, List<Provenance> provenance) {
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
}
