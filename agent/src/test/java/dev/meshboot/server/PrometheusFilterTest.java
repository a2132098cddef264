package dev.meshboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PrometheusFilterTest {

  @Test
  void keepsAppMeshFamiliesStripsThePrefixAndSorts() throws IOException {
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
    assertThat(filter(page))
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
  void anEmptyPageGivesNothing() throws IOException {
    assertThat(filter("")).isEmpty();
  }

  @Test
  void theKeptFamiliesAreBounded() {
    StringBuilder page = new StringBuilder("# TYPE envoy_appmesh_RequestCount counter\n");
    for (int i = 0; page.length() <= PrometheusFilter.MAX_KEPT; i++) {
      page.append("envoy_appmesh_RequestCount{VirtualNode=\"node-").append(i).append("\"} 1\n");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> filter(page.toString()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exceed 8 MiB");
  }

  private static String filter(String page) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusLines.read(
        new ByteArrayInputStream(page.getBytes(StandardCharsets.UTF_8)),
        PrometheusFilter.metricsExtension(PrometheusLines.writingTo(out)));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aPagePassesThroughTheLineReaderAsItIs() throws IOException {
    String page = "# TYPE a counter\na 1\n\n# TYPE b gauge\n\nb 2\nlast 3";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusLines.read(
        new ByteArrayInputStream(page.getBytes(StandardCharsets.UTF_8)),
        PrometheusLines.writingTo(out));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .as("blank lines kept; the last line gets its newline")
        .isEqualTo(page + "\n");
  }
}
