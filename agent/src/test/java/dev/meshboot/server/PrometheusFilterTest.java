package dev.meshboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusFilterTest {

  @Test
  void keepsAppMeshFamiliesStripsThePrefixAndSorts() {
    String page =
        """
        # TYPE envoy_cluster_upstream_rq counter
        envoy_cluster_upstream_rq{envoy_cluster_name="a"} 3
        # TYPE envoy_appmesh_RequestCount counter
        envoy_appmesh_RequestCount{Mesh="m"} 7
        # TYPE envoy_appmesh_GrpcRequestCount counter
        envoy_appmesh_GrpcRequestCount{Mesh="m"} 1
        # TYPE envoy_appmesh_RequestDuration histogram
        envoy_appmesh_RequestDuration_bucket{le="0.5"} 2
        envoy_appmesh_RequestDuration_bucket{le="+Inf"} 3
        envoy_appmesh_RequestDuration_sum{} 1.5
        envoy_appmesh_RequestDuration_count{} 3
        # TYPE envoy_server_live gauge
        envoy_server_live{} 1
        """;
    assertThat(PrometheusFilter.metricsExtension(page))
        .isEqualTo(
            """
            # TYPE GrpcRequestCount counter
            GrpcRequestCount{Mesh="m"} 1
            # TYPE RequestCount counter
            RequestCount{Mesh="m"} 7
            # TYPE RequestDuration histogram
            RequestDuration_bucket{le="0.5"} 2
            RequestDuration_bucket{le="+Inf"} 3
            RequestDuration_sum{} 1.5
            RequestDuration_count{} 3
            """);
  }

  @Test
  void anEmptyPageGivesNothing() {
    assertThat(PrometheusFilter.metricsExtension("")).isEmpty();
  }
}
