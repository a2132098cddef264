package dev.meshboot.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshboot.config.Endpoint;
import dev.meshboot.config.Environment;
import dev.meshboot.config.HostFacts;
import dev.meshboot.config.TracingConfig;
import dev.meshboot.config.XdsConfig;
import dev.meshboot.config.XdsMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlaceholdersTest {

  @Test
  void twoFragmentsSupplyingOneNameFailNamingItAndBoth() {
    Placeholders management =
        Placeholders.builder("management")
            .put("xds.host", Value.of("xds.example", "A"))
            .put("xds.port", Value.of(443, "A"))
            .build();
    Placeholders tracing = Placeholders.of("tracing", "xds.port", Value.of(2000, "B"));

    assertThatThrownBy(() -> management.and(tracing))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "placeholder ${xds.port} is supplied by both fragment management and fragment tracing");
    // The name's first supplier is remembered through a merge, not just in a single fragment.
    Placeholders merged =
        Placeholders.of("admin", "admin.port", Value.of(9901, "C")).and(management);
    assertThatThrownBy(() -> merged.and(tracing))
        .hasMessageContaining("${xds.port}")
        .hasMessageContaining("fragment management and fragment tracing");
  }

  @Test
  void oneFragmentSupplyingANameTwiceFails() {
    Placeholders.Builder values = Placeholders.builder("admin").put("admin.port", Value.of(1, "A"));

    assertThatThrownBy(() -> values.put("admin.port", Value.of(2, "B")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("placeholder ${admin.port} is supplied twice by fragment admin");
  }

  @Test
  void mergingKeepsTheOrderValuesWereSuppliedIn() {
    Placeholders merged =
        Placeholders.builder("resource")
            .put("node.id", Value.of("n", "A"))
            .put("mesh.name", Value.of("m", "A"))
            .build()
            .and(Placeholders.of("admin", "admin.port", Value.of(9901, "B")))
            .and(Placeholders.of("sds", "sds.socket", Value.of("/s", "C")));

    assertThat(merged.values().keySet())
        .containsExactly("node.id", "mesh.name", "admin.port", "sds.socket");
    assertThat(merged.values().get("admin.port")).isEqualTo(Value.of(9901, "B"));
  }

  @Test
  void aBuiltSetIsASnapshotThatCannotBeChanged() {
    Placeholders.Builder builder =
        Placeholders.builder("admin").put("admin.port", Value.of(1, "A"));
    Placeholders built = builder.build();
    builder.put("admin.address", Value.of("::", "A"));

    assertThat(built.values()).containsOnlyKeys("admin.port");
    assertUnmodifiable(built.values());
    assertUnmodifiable(built.and(Placeholders.NONE).values());
  }

  @Test
  void theManagementFragmentReturnsItsValuesUnmodifiable() {
    XdsConfig xds =
        new XdsConfig(
            XdsMode.DIRECT,
            new Endpoint.Tcp("xds.example", 443),
            Optional.empty(),
            Optional.empty(),
            "appmesh",
            true,
            Optional.empty(),
            Path.of("/run/relay.sock"),
            Optional.empty(),
            List.of());
    HostFacts facts = new HostFacts(List.of(), "x86_64", "6.1", Path.of("/etc/ssl/ca.pem"));

    Fragment fragment =
        ManagementFragment.of(xds, Environment.of(Map.of()), facts, variable -> variable.name());

    assertThat(fragment.template()).isEqualTo("ads-direct-tcp");
    assertThat(fragment.values().values())
        .containsKeys("xds.host", "xds.port", "xds.ca_file", "xds.transport_socket");
    assertUnmodifiable(fragment.values().values());
  }

  @Test
  void theTracingFragmentReturnsItsValuesUnmodifiable() {
    Fragment fragment =
        TracingFragment.of(
                new TracingConfig.Datadog("127.0.0.1", 8126, "svc"),
                Environment.of(Map.of()),
                variable -> variable.name())
            .orElseThrow();

    assertThat(fragment.template()).isEqualTo("tracing-datadog");
    assertThat(fragment.values().values())
        .containsOnlyKeys("datadog.service_name", "datadog.address", "datadog.port");
    assertUnmodifiable(fragment.values().values());
    assertThat(fragment.sideFiles()).isEmpty();
  }

  private static void assertUnmodifiable(Map<String, Value> values) {
    assertThatThrownBy(() -> values.put("any", Value.of("x", "test")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(values::clear).isInstanceOf(UnsupportedOperationException.class);
  }
}
