package dev.meshboot.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

  static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

  private static Exit crash(Instant at) {
    return Exit.classify(139, true, false, at, Duration.ofSeconds(1), List.of());
  }

  @Test
  void backsOffExponentiallyWithJitterUpToTheCapThenGivesUp() {
    RestartPolicy policy =
        new RestartPolicy(
            5, Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMinutes(5), () -> 0.0);
    Instant now = T0;
    List<Long> delays = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RestartPolicy.Decision decision = policy.afterExit(crash(now.plusSeconds(1)), now);
      delays.add(((RestartPolicy.Decision.Restart) decision).delay().toMillis());
      now = now.plusSeconds(2);
    }
    assertThat(delays).containsExactly(50L, 100L, 200L, 250L, 250L);
    assertThat(policy.afterExit(crash(now.plusSeconds(1)), now))
        .isEqualTo(new RestartPolicy.Decision.Stop("the restart budget of 5 is spent", true));
  }

  @Test
  void jitterStaysBetweenHalfAndTheFullDelay() {
    RestartPolicy high =
        new RestartPolicy(
            3, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5), () -> 0.999);
    long delay =
        ((RestartPolicy.Decision.Restart) high.afterExit(crash(T0.plusSeconds(1)), T0))
            .delay()
            .toMillis();
    assertThat(delay).isBetween(990L, 1000L);
  }

  @Test
  void aHealthyRunRefillsTheBudget() {
    RestartPolicy policy =
        new RestartPolicy(
            1, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5);
    assertThat(policy.afterExit(crash(T0.plusSeconds(1)), T0))
        .isInstanceOf(RestartPolicy.Decision.Restart.class);
    assertThat(policy.afterExit(crash(T0.plusSeconds(3)), T0.plusSeconds(2)))
        .isInstanceOf(RestartPolicy.Decision.Stop.class);
    Instant later = T0.plusSeconds(10);
    assertThat(policy.afterExit(crash(later.plus(Duration.ofMinutes(6))), later))
        .isInstanceOf(RestartPolicy.Decision.Restart.class);
  }

  @Test
  void aRejectedConfigurationIsNotRetried() {
    RestartPolicy policy =
        new RestartPolicy(
            3, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5);
    Exit rejected =
        Exit.classify(
            1,
            false,
            false,
            T0,
            Duration.ofMillis(80),
            List.of("[critical][main] error initializing configuration 'b.json': x"));
    assertThat(rejected.classification()).isEqualTo(Exit.Classification.CONFIG_REJECTED);
    assertThat(policy.afterExit(rejected, T0)).isInstanceOf(RestartPolicy.Decision.Stop.class);
    assertThat(policy.used()).isZero();
  }
}
