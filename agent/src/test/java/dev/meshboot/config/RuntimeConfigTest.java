package dev.meshboot.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {

  private static final String TRACING =
      "envoy.reloadable_features.http_set_tracing_decision_in_request_id";
  private static final String LOOKUP = "envoy.reloadable_features.no_extension_lookup_by_name";
  private static final String HTTP_CLIENT =
      "envoy.reloadable_features.use_http_client_to_fetch_aws_credentials";

  private static Map<String, Object> layer(Map<String, String> env, String version) {
    Optional<EnvoyBuild> envoy =
        version.isEmpty()
            ? Optional.empty()
            : EnvoyBuild.parse("envoy  version: abc/" + version + "/Clean/RELEASE/BoringSSL");
    return RuntimeConfig.from(Environment.of(env)).staticLayerFor(envoy);
  }

  @Test
  void setsTheContractsKeysAsAwsAgentDidWhenTheEnvoyReleaseIsUnknown() {
    assertThat(layer(Map.of(), ""))
        .containsEntry("envoy.features.enable_all_deprecated_features", true)
        .containsEntry("re2.max_program_size.error_level", 1000)
        .containsEntry(TRACING, true)
        .containsEntry(LOOKUP, true)
        .containsEntry(HTTP_CLIENT, false);
  }

  @Test
  void leavesOutTheKeysAReleaseRemovedByDefault() {
    assertThat(layer(Map.of(), "1.34.9")).containsKeys(TRACING, LOOKUP, HTTP_CLIENT);
    assertThat(layer(Map.of(), "1.38.2"))
        .containsKey(LOOKUP)
        .doesNotContainKeys(TRACING, HTTP_CLIENT);
    assertThat(layer(Map.of(), "1.39.0")).doesNotContainKeys(TRACING, LOOKUP, HTTP_CLIENT);
    assertThat(layer(Map.of(), "1.40.0"))
        .containsOnlyKeys(
            "envoy.features.enable_all_deprecated_features", "re2.max_program_size.error_level");
  }

  @Test
  void passesOnAKeyWhoseVariableIsSetEvenWhenTheReleaseRemovedIt() {
    Map<String, Object> layer =
        layer(
            Map.of(
                "ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS", "true",
                "ENVOY_NO_EXTENSION_LOOKUP_BY_NAME", "false"),
            "1.40.0");
    assertThat(layer).containsEntry(HTTP_CLIENT, true).containsEntry(LOOKUP, false);
    assertThat(layer).doesNotContainKey(TRACING);
  }
}
