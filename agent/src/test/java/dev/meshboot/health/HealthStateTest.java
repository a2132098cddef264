package dev.meshboot.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthStateTest {

  static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

  private static Map<String, Long> stats(
      long connected,
      long cdsOk,
      long cdsRejected,
      long ldsOk,
      long ldsRejected,
      long createFailure) {
    return Map.of(
        HealthState.CONNECTED, connected,
        HealthState.CDS_SUCCESS, cdsOk,
        HealthState.CDS_REJECTED, cdsRejected,
        HealthState.LDS_SUCCESS, ldsOk,
        HealthState.LDS_REJECTED, ldsRejected,
        HealthState.CREATE_FAILURE, createFailure);
  }

  @Test
  void readyMeansLiveAndTheInitialConfigurationAccepted() {
    HealthState state = new HealthState(Duration.ofHours(1), T0);
    Health waiting = state.observe("PRE_INITIALIZING", stats(1, 0, 0, 0, 0, 0), T0);
    assertThat(waiting.healthy()).isFalse();
    assertThat(waiting.ready()).isFalse();
    Health liveWithoutConfig = state.observe("LIVE", stats(1, 0, 0, 0, 0, 0), T0);
    assertThat(liveWithoutConfig.healthy()).isTrue();
    assertThat(liveWithoutConfig.ready()).isFalse();
    assertThat(liveWithoutConfig.problems())
        .containsExactly("the initial configuration has not arrived yet");
    Health ready = state.observe("LIVE", stats(1, 1, 0, 1, 0, 0), T0);
    assertThat(ready.ready()).isTrue();
    assertThat(ready.initialConfig()).isEqualTo(Health.InitialConfig.ACCEPTED);
  }

  @Test
  void aListenerThatFailsAfterTheInitialConfigurationIsAProblemNotUnhealthiness() {
    HealthState before = new HealthState(Duration.ofHours(1), T0);
    Health failedFirst = before.observe("LIVE", stats(1, 1, 0, 1, 0, 1), T0);
    assertThat(failedFirst.initialConfig()).isEqualTo(Health.InitialConfig.REJECTED);
    assertThat(failedFirst.healthy()).isFalse();

    HealthState after = new HealthState(Duration.ofHours(1), T0);
    assertThat(after.observe("LIVE", stats(1, 1, 0, 1, 0, 0), T0).ready()).isTrue();
    Health failedLater = after.observe("LIVE", stats(1, 2, 0, 2, 0, 1), T0);
    assertThat(failedLater.healthy()).isTrue();
    assertThat(failedLater.ready()).as("readiness, once reached, stays").isTrue();
    assertThat(failedLater.initialConfig()).isEqualTo(Health.InitialConfig.ACCEPTED);
    assertThat(failedLater.problems())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("1 listener(s) failed to be created after the initial configuration");
  }

  @Test
  void aStaticConfigurationIsReadyOnceLive() {
    HealthState state = new HealthState(Duration.ofHours(1), T0);
    state.expect(false, false);
    assertThat(state.observe("LIVE", Map.of(), T0).ready()).isTrue();
    HealthState clustersOnly = new HealthState(Duration.ofHours(1), T0);
    clustersOnly.expect(false, true);
    assertThat(clustersOnly.observe("LIVE", stats(1, 0, 0, 0, 0, 0), T0).ready()).isFalse();
    assertThat(clustersOnly.observe("LIVE", stats(1, 1, 0, 0, 0, 0), T0).ready()).isTrue();
  }

  @Test
  void aRejectedInitialConfigurationIsUnhealthyButALaterRejectionIsNot() {
    HealthState rejected = new HealthState(Duration.ofHours(1), T0);
    assertThat(rejected.observe("LIVE", stats(1, 0, 1, 0, 0, 0), T0).healthy()).isFalse();
    assertThat(
            new HealthState(Duration.ofHours(1), T0)
                .observe("LIVE", stats(1, 1, 0, 1, 0, 1), T0)
                .initialConfig())
        .isEqualTo(Health.InitialConfig.REJECTED);
    HealthState later = new HealthState(Duration.ofHours(1), T0);
    later.observe("LIVE", stats(1, 1, 0, 1, 0, 0), T0);
    assertThat(later.observe("LIVE", stats(1, 1, 2, 1, 1, 0), T0).healthy()).isTrue();
  }

  @Test
  void aLostManagementConnectionIsToleratedForTheTimeout() {
    HealthState state = new HealthState(Duration.ofHours(1), T0);
    state.observe("LIVE", stats(1, 1, 0, 1, 0, 0), T0);
    Health down = state.observe("LIVE", stats(0, 1, 0, 1, 0, 0), T0.plusSeconds(10));
    assertThat(down.healthy()).isTrue();
    assertThat(down.disconnectedSince()).contains(T0.plusSeconds(10));
    Health tooLong = state.observe("LIVE", stats(0, 1, 0, 1, 0, 0), T0.plusSeconds(10 + 3601));
    assertThat(tooLong.healthy()).isFalse();
    assertThat(tooLong.disconnectedSince()).contains(T0.plusSeconds(10));
    Health back = state.observe("LIVE", stats(1, 1, 0, 1, 0, 0), T0.plusSeconds(4000));
    assertThat(back.healthy()).isTrue();
    assertThat(back.disconnectedSince()).isEmpty();
  }

  @Test
  void unreachableAndDrainingAreNotHealthyAndARestartForgetsTheConfiguration() {
    HealthState state = new HealthState(Duration.ofHours(1), T0);
    state.observe("LIVE", stats(1, 1, 0, 1, 0, 0), T0);
    assertThat(state.observe("DRAINING", stats(1, 1, 0, 1, 0, 0), T0).healthy()).isFalse();
    assertThat(state.unreachable(T0, "connection refused").envoyState()).isEqualTo("UNREACHABLE");
    state.restarted(T0);
    assertThat(state.current().initialConfig()).isEqualTo(Health.InitialConfig.PENDING);
  }
}
