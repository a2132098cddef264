package dev.meshboot.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidationTest {

  static final EnvoySchema CORE = EnvoySchema.load(EnvoySchema.Scope.FULL);

  private static List<String> problems(String json) throws InvalidProtocolBufferException {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(CORE.bootstrap());
    JsonFormat.parser().usingTypeRegistry(CORE.typeRegistry()).merge(json, builder);
    return Validation.problems(builder.build(), CORE);
  }

  @Test
  void aValidBootstrapHasNoProblems() throws InvalidProtocolBufferException {
    assertThat(problems("{\"node\": {\"id\": \"a\"}}")).isEmpty();
  }

  @Test
  void checksStringNumberAndDurationRules() throws InvalidProtocolBufferException {
    assertThat(
            problems(
                """
                {"static_resources": {"clusters": [{"name": "", "connect_timeout": "-1s",
                  "load_assignment": {"cluster_name": "x", "endpoints": [{"lb_endpoints": [{"endpoint": {"address":
                    {"socket_address": {"address": "127.0.0.1", "port_value": 70000}}}}]}]}}]}}
                """))
        .containsExactly(
            "static_resources.clusters[0].name: must not be empty",
            "static_resources.clusters[0].connect_timeout: must be greater than 0s",
            "static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: must be at most 65535");
  }

  @Test
  void checksRequiredOneofsAndMessagesInsideTypedConfigs() throws InvalidProtocolBufferException {
    assertThat(
            problems(
                """
                {"stats_sinks": [{"name": "envoy.stat_sinks.dog_statsd", "typed_config": {
                  "@type": "type.googleapis.com/envoy.config.metrics.v3.DogStatsdSink"}}],
                 "admin": {"address": {"socket_address": {"port_value": 1}}}}
                """))
        .containsExactlyInAnyOrder(
            "admin.address.socket_address.address: must not be empty",
            "stats_sinks[envoy.stat_sinks.dog_statsd].typed_config.dog_statsd_specifier: one of address is required");
  }

  @Test
  void checksRepeatedItemRules() throws InvalidProtocolBufferException {
    assertThat(
            problems(
                """
                {"layered_runtime": {"layers": [{"name": "l", "rtds_layer": {"name": "r",
                  "rtds_config": {"api_config_source": {"api_type": "GRPC",
                    "grpc_services": [{"envoy_grpc": {"cluster_name": ""}}]}}}}]}}
                """))
        .containsExactly(
            "layered_runtime.layers[l].rtds_layer.rtds_config.api_config_source.grpc_services[0]"
                + ".envoy_grpc.cluster_name: must not be empty");
    assertThat(
            problems(
                """
                {"dynamic_resources": {"ads_config": {"api_type": "GRPC",
                  "config_validators": [{"name": "v", "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.config.validators.minimum_clusters.v3.MinimumClustersValidator"}}]}}}
                """))
        .isEmpty();
  }

  @Test
  void checksExtensionConfigTypes() throws InvalidProtocolBufferException {
    assertThat(
            problems(
                """
                {"tracing": {"http": {"name": "envoy.tracers.xray", "typed_config": {
                  "@type": "type.googleapis.com/envoy.config.trace.v3.ZipkinConfig",
                  "collector_cluster": "z", "collector_endpoint": "/"}}}}
                """))
        .containsExactly(
            "tracing.http.typed_config: extension envoy.tracers.xray takes envoy.config.trace.v3.XRayConfig, not envoy.config.trace.v3.ZipkinConfig");
  }
}
