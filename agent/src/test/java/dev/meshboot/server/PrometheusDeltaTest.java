package dev.meshboot.server;

import static org.assertj.core.api.Assertions.assertThat;

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
  void countersAndHistogramsSubtractGaugesStay() {
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
    assertThat(PrometheusDelta.snapshot(BEFORE).apply(now))
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
  void aCounterThatWentDownIsShownWhole() {
    assertThat(
            PrometheusDelta.snapshot(BEFORE)
                .apply("# TYPE envoy_rq counter\nenvoy_rq{c=\"a\"} 3\n"))
        .isEqualTo("# TYPE envoy_rq counter\nenvoy_rq{c=\"a\"} 3\n");
  }
}
