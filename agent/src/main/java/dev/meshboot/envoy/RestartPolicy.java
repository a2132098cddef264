package dev.meshboot.envoy;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * Decides what happens after Envoy exits: restart after a delay (exponential backoff with jitter),
 * or stop. The budget of restarts refills once an Envoy has run for {@code healthyReset}. A
 * rejected configuration is not retried: the same bootstrap would be rejected again.
 */
public final class RestartPolicy {

  /** What to do after an exit. */
  public sealed interface Decision {
    /** Start Envoy again after {@code delay}. */
    record Restart(Duration delay, int attempt, int budget) implements Decision {}

    /** Do not restart; {@code reason} says why. */
    record Stop(String reason, boolean budgetSpent) implements Decision {}
  }

  private final int budget;
  private final Duration base;
  private final Duration cap;
  private final Duration healthyReset;
  private final DoubleSupplier jitter;
  private int used;

  /**
   * @param budget restarts allowed before meshboot gives up
   * @param jitter a random number in [0, 1): the delay is drawn from [delay/2, delay]
   */
  public RestartPolicy(
      int budget, Duration base, Duration cap, Duration healthyReset, DoubleSupplier jitter) {
    this.budget = budget;
    this.base = base;
    this.cap = cap;
    this.healthyReset = healthyReset;
    this.jitter = jitter;
  }

  /** The decision after {@code exit} of an Envoy started at {@code started}. */
  public Decision afterExit(Exit exit, Instant started) {
    if (exit.classification() == Exit.Classification.CONFIG_REJECTED) {
      return new Decision.Stop(
          "Envoy rejected its configuration; restarting would not help", false);
    }
    if (Duration.between(started, exit.at()).compareTo(healthyReset) >= 0) {
      used = 0;
    }
    if (used >= budget) {
      return new Decision.Stop("the restart budget of " + budget + " is spent", true);
    }
    Duration delay = base.multipliedBy(1L << Math.min(used, 20));
    if (delay.compareTo(cap) > 0) {
      delay = cap;
    }
    long millis = delay.toMillis();
    long jittered = millis / 2 + (long) (jitter.getAsDouble() * (millis - millis / 2));
    used++;
    return new Decision.Restart(Duration.ofMillis(jittered), used, budget);
  }

  /** Restarts used since the budget was last refilled. */
  public int used() {
    return used;
  }
}
