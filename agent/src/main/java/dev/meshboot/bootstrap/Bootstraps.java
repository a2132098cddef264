package dev.meshboot.bootstrap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.meshboot.config.AgentConfig;
import dev.meshboot.config.Environment;
import dev.meshboot.config.EnvoyBuild;
import dev.meshboot.config.HostFacts;
import dev.meshboot.config.PlatformFacts;
import dev.meshboot.config.TracingConfig;
import dev.meshboot.config.XdsConfig;
import java.util.ArrayList;
import java.util.List;

/** Builds the Envoy bootstrap of a sidecar from its configuration and the host's facts. */
public final class Bootstraps {

  private Bootstraps() {}

  /**
   * Renders, merges the user's fragment files into, and validates the bootstrap.
   *
   * @param environment where the configuration came from, for {@code --explain}
   * @param envoy what {@code envoy --version} says (the runtime keys its release removed are left
   *     out); empty when unknown
   * @param platform what the metadata services said, for node metadata and locality
   * @throws InvalidBootstrapException when a fragment or the result breaks the Envoy API's rules
   */
  public static Rendered from(
      AgentConfig config,
      java.util.function.Supplier<XdsConfig> xds,
      java.util.function.Supplier<java.util.Optional<EnvoyBuild>> envoy,
      Environment environment,
      HostFacts facts,
      PlatformFacts platform,
      java.util.function.Supplier<EnvoySchema> schemas) {
    Fragments build = Fragments.render(config, xds, envoy, environment, facts, platform);
    // JsonFormat range-checks numbers with BigDecimal, whose first use costs ~10 ms; start it here,
    // while the schema is still being built on another thread.
    if (new java.math.BigDecimal("1").signum() != 1) {
      throw new AssertionError();
    }
    EnvoySchema schema = schemas.get();
    DynamicMessage.Builder bootstrap = DynamicMessage.newBuilder(schema.bootstrap());
    List<Provenance> provenance = new ArrayList<>();
    for (String template : Templates.NAMES) {
      JsonElement fragment = build.fragments().get(template);
      if (fragment != null) {
        merge(schema, bootstrap, template, fragment);
        provenance.addAll(build.provenance().get(template));
      }
    }
    new UserFragments(schema, bootstrap, provenance).merge(config);
    DynamicMessage result = bootstrap.build();
    Validation.check(result, schema, "the bootstrap", provenance);
    return new Rendered(result, List.copyOf(provenance), List.copyOf(build.sideFiles()));
  }

  /**
   * Reads a whole bootstrap from a file (ENVOY_CONFIG_FILE, or the file {@code validate} checks),
   * strictly, and validates it.
   *
   * @param label names the file in errors: a variable or {@code file}
   */
  public static Rendered fromFile(java.nio.file.Path file, String label, EnvoySchema schema) {
    return fromText(
        dev.meshboot.config.InputFiles.read(
            file, label, dev.meshboot.config.InputFiles.CONFIG_LIMIT),
        file,
        label,
        schema);
  }

  /**
   * A whole bootstrap already read from {@code file} ({@link #fromFile}), so that what was
   * validated is exactly {@code text}.
   */
  public static Rendered fromText(
      String text, java.nio.file.Path file, String label, EnvoySchema schema) {
    List<Provenance> provenance = new ArrayList<>();
    DynamicMessage bootstrap =
        UserFragments.whole(schema, text, file, label, provenance)
            .orElseThrow(
                () -> new InvalidBootstrapException(label + " (" + file + "): the file is empty"));
    Validation.check(bootstrap, schema, file.toString(), provenance);
    return new Rendered(bootstrap, List.copyOf(provenance), List.of());
  }

  /** The schema a configuration needs: user files may use any Envoy type. */
  public static EnvoySchema.Scope schemaFor(AgentConfig config) {
    return config.files().any() || config.tracing() instanceof TracingConfig.FromFile
        ? EnvoySchema.Scope.FULL
        : EnvoySchema.Scope.CORE;
  }

  /** Parses a rendered template as a typed message and merges it into the bootstrap. */
  private static void merge(
      EnvoySchema schema, DynamicMessage.Builder bootstrap, String template, JsonElement json) {
    DynamicMessage.Builder fragment = DynamicMessage.newBuilder(schema.bootstrap());
    try {
      JsonFormat.parser().usingTypeRegistry(schema.typeRegistry()).merge(json.toString(), fragment);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "template " + template + " does not fit the Envoy API: " + e.getMessage(), e);
    }
    bootstrap.mergeFrom(fragment.build());
  }

  /** JSON helpers for metadata values. */
  static JsonArray array(List<String> items) {
    JsonArray array = new JsonArray();
    items.forEach(array::add);
    return array;
  }
}
