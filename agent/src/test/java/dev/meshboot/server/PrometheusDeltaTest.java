package dev.meshboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PrometheusDeltaTest {

  static final String BEFORE =
      """
      # TYPE envoy_rq counter
      envoy_rq{c="a"} 10
      envoy_rq{c="b"} 5
      # TYPE envoy_cx_active gauge
      envoy_cx_active{} 7
      # TYPE envoy_time histogram
      envoy_time_bucket{le="1"} 2
      envoy_time_bucket{le="+Inf"} 4
      envoy_time_sum{} 3.5
      envoy_time_count{} 4
      """;

  @Test
  void countersAndHistogramsSubtractGaugesStay() throws IOException {
    String now =
        """
        # TYPE envoy_rq counter
        envoy_rq{c="a"} 15
        envoy_rq{c="b"} 5
        envoy_rq{c="new"} 2
        # TYPE envoy_cx_active gauge
        envoy_cx_active{} 3
        # TYPE envoy_time histogram
        envoy_time_bucket{le="1"} 3
        envoy_time_bucket{le="+Inf"} 6
        envoy_time_sum{} 5
        envoy_time_count{} 6
        """;
    assertThat(delta(BEFORE, now))
        .isEqualTo(
            """
            # TYPE envoy_rq counter
            envoy_rq{c="a"} 5
            envoy_rq{c="b"} 0
            envoy_rq{c="new"} 2
            # TYPE envoy_cx_active gauge
            envoy_cx_active{} 3
            # TYPE envoy_time histogram
            envoy_time_bucket{le="1"} 1
            envoy_time_bucket{le="+Inf"} 2
            envoy_time_sum{} 1.5
            envoy_time_count{} 2
            """);
  }

  @Test
  void aCounterThatWentDownIsShownWhole() throws IOException {
    assertThat(delta(BEFORE, "# TYPE envoy_rq counter\nenvoy_rq{c=\"a\"} 3\n"))
        .isEqualTo("# TYPE envoy_rq counter\nenvoy_rq{c=\"a\"} 3\n");
  }

  @Test
  void aSnapshotOf200kSeriesKeepsThemInASmallTable() throws IOException {
    // 200,000 counters of ~60 bytes each: a 12 MB page, read in a stream.
    int series = 200_000;
    long before = usedHeap();
    PrometheusDelta snapshot = PrometheusDelta.snapshot(page(series, 10), 0);
    assertThat(snapshot.series()).isEqualTo(series);
    long kept = usedHeap() - before;
    assertThat(kept).as("the snapshot's heap").isLessThan(16L << 20);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusLines.read(page(series, 13), snapshot.apply(PrometheusLines.writingTo(out)));
    String delta = out.toString(StandardCharsets.ISO_8859_1);
    assertThat(delta.lines().filter(line -> line.endsWith(" 3")).count()).isEqualTo(series);
  }

  @Test
  void aLongLineFailsClearly() {
    byte[] line = new byte[PrometheusLines.MAX_LINE + 1];
    java.util.Arrays.fill(line, (byte) 'a');
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> PrometheusDelta.snapshot(new ByteArrayInputStream(line), 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("longer than 1 MiB");
  }

  private static java.io.InputStream page(int series, int value) {
    StringBuilder out = new StringBuilder("# TYPE envoy_cluster_upstream_rq_total counter\n");
    for (int i = 0; i < series; i++) {
      out.append("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"cluster-")
          .append(i)
          .append("\"} ")
          .append(value)
          .append('\n');
    }
    return new ByteArrayInputStream(out.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  private static long usedHeap() {
    System.gc();
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  static String delta(String before, String now) throws IOException {
    PrometheusDelta snapshot =
        PrometheusDelta.snapshot(
            new ByteArrayInputStream(before.getBytes(StandardCharsets.UTF_8)), 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusLines.read(
        new ByteArrayInputStream(now.getBytes(StandardCharsets.UTF_8)),
        snapshot.apply(PrometheusLines.writingTo(out)));
    return out.toString(StandardCharsets.UTF_8);
  }
}
