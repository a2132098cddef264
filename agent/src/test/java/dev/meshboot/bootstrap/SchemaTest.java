package dev.meshboot.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pruned descriptor sets keep every field of every type they keep, as the generated API has it.
 */
class SchemaTest {

  @Test
  void theFullSchemaHasEveryFieldReachableFromBootstrap() {
    EnvoySchema full = EnvoySchema.load(EnvoySchema.Scope.FULL);
    compare(
        full.bootstrap(),
        io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap.getDescriptor(),
        new HashSet<>());
  }

  @Test
  void theCoreSchemaKeepsTheTemplatesFieldsExactlyAsTheApiDefinesThem() {
    EnvoySchema core = EnvoySchema.load(EnvoySchema.Scope.CORE);
    Set<String> seen = new HashSet<>();
    subset(
        core.bootstrap(), io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap.getDescriptor(), seen);
    assertThat(seen).contains("envoy.config.cluster.v3.Cluster", "envoy.config.bootstrap.v3.Admin");
    assertThat(core.findMessage("envoy.config.cluster.v3.Cluster").findFieldByName("health_checks"))
        .as("fields no template sets are cut")
        .isNull();
  }

  private static void subset(Descriptor pruned, Descriptor generated, Set<String> seen) {
    if (!seen.add(generated.getFullName())) {
      return;
    }
    for (FieldDescriptor field : pruned.getFields()) {
      FieldDescriptor original = generated.findFieldByName(field.getName());
      assertThat(original).as(generated.getFullName() + "." + field.getName()).isNotNull();
      assertThat(field.getNumber()).isEqualTo(original.getNumber());
      assertThat(field.getType()).isEqualTo(original.getType());
      assertThat(field.isRepeated()).isEqualTo(original.isRepeated());
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        subset(field.getMessageType(), original.getMessageType(), seen);
      }
    }
  }

  @Test
  void theFullSchemaHasTheTypesUserFilesUse() {
    EnvoySchema full = EnvoySchema.load(EnvoySchema.Scope.FULL);
    compare(
        full.findMessage(
            "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
        io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
            .HttpConnectionManager.getDescriptor(),
        new HashSet<>());
  }

  @Test
  void everyAllowListedExtensionTypeIsInTheFullSchema() {
    EnvoySchema core = EnvoySchema.load(EnvoySchema.Scope.FULL);
    core.extensions()
        .values()
        .forEach(types -> types.forEach(type -> assertThat(core.findMessage(type)).isNotNull()));
  }

  private static void compare(Descriptor pruned, Descriptor generated, Set<String> seen) {
    if (!seen.add(generated.getFullName())) {
      return;
    }
    assertThat(pruned.getFullName()).isEqualTo(generated.getFullName());
    assertThat(pruned.getFields().stream().map(FieldDescriptor::getName).toList())
        .as(generated.getFullName())
        .isEqualTo(generated.getFields().stream().map(FieldDescriptor::getName).toList());
    for (FieldDescriptor field : generated.getFields()) {
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        compare(
            pruned.findFieldByName(field.getName()).getMessageType(), field.getMessageType(), seen);
      }
    }
  }
}
