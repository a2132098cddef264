package dev.meshboot.health;

import dev.meshboot.envoy.AdminClient;
import dev.meshboot.envoy.Supervisor;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Polls Envoy's admin interface every interval (plus up to 10 % jitter) and feeds {@link
 * HealthState}. No retries: the next poll is the retry. Runs on one named daemon thread that {@link
 * #close()} stops.
 */
public final class HealthPoller implements AutoCloseable {

  private static final Log log = Log.of(HealthPoller.class);

  private final AdminClient admin;
  private final Supervisor supervisor;
  private final HealthState state;
  private final Duration interval;
  private final Clock clock;
  private final Thread thread;
  private volatile long lastPollNanos;
  private volatile long polledPid = -1;
  private volatile Instant polledSince = Instant.EPOCH;
  private volatile Optional<String> envoyVersion = Optional.empty();
  private final java.util.concurrent.Semaphore wakeups = new java.util.concurrent.Semaphore(0);

  /** How long after an Envoy starts meshboot polls fast (every 500 ms) until it is ready. */
  static final Duration FAST_POLLING = Duration.ofSeconds(60);

  public HealthPoller(
      AdminClient admin, Supervisor supervisor, HealthState state, Duration interval, Clock clock) {
    this.admin = admin;
    this.supervisor = supervisor;
    this.state = state;
    this.interval = interval;
    this.clock = clock;
    this.thread = Thread.ofPlatform().name("meshboot-health").daemon(true).unstarted(this::loop);
  }

  public HealthPoller start() {
    thread.start();
    return this;
  }

  /** Polls now instead of at the next interval (after an Envoy exit). */
  public void wake() {
    wakeups.release();
  }

  /** The running Envoy's version ({@code /server_info}), once it has answered. */
  public Optional<String> envoyVersion() {
    return envoyVersion;
  }

  /** How long the last poll took. */
  public Duration lastPollLatency() {
    return Duration.ofNanos(lastPollNanos);
  }

  /** A poll this recent answers for a new one: /ready and /status stay cheap at any rate. */
  public static final long FRESH_NANOS = 250_000_000L;

  private final Object polling = new Object();
  private @org.jspecify.annotations.Nullable Health fresh; // guarded by polling
  private long freshAt; // guarded by polling
  private long freshPid = -1; // guarded by polling

  /**
   * Polls once now, one poll at a time (a slower poll never publishes an older state over a newer
   * one); callers within {@link #FRESH_NANOS} of the last poll of the same Envoy get its answer.
   */
  public Health poll() {
    synchronized (polling) {
      long now = System.nanoTime();
      long pid = supervisor.pid().orElse(-1);
      if (fresh != null && pid == freshPid && now - freshAt < FRESH_NANOS) {
        return fresh;
      }
      Health polled = pollNow();
      fresh = polled;
      freshAt = System.nanoTime();
      freshPid = pid;
      return polled;
    }
  }

  private Health pollNow() {
    long start = System.nanoTime();
    Instant now = clock.instant();
    OptionalLong pid = supervisor.pid();
    if (pid.isEmpty()) {
      return state.unreachable(now, "Envoy is not running");
    }
    if (pid.getAsLong() != polledPid) {
      polledPid = pid.getAsLong();
      polledSince = now;
      envoyVersion = Optional.empty();
      state.restarted(now);
    }
    Health health;
    try {
      String ready = admin.ready();
      if (envoyVersion.isEmpty()) {
        envoyVersion = version();
      }
      health = state.observe(ready, admin.stats(HealthState.STATS_FILTER), now);
    } catch (IOException e) {
      health = state.unreachable(now, e.getMessage() == null ? e.toString() : e.getMessage());
    }
    lastPollNanos = System.nanoTime() - start;
    return health;
  }

  /** The version is for reports only: not knowing it is no health problem. */
  private Optional<String> version() {
    try {
      return Optional.of(admin.version());
    } catch (IOException e) {
      log.debug("no version from /server_info", "error", e.getMessage());
      return Optional.empty();
    }
  }

  private void loop() {
    boolean wasHealthy = false;
    while (!Thread.currentThread().isInterrupted()) {
      // Poll fast while a new Envoy starts, then at the configured interval.
      Health health = poll();
      boolean starting =
          !health.ready()
              && Duration.between(polledSince, clock.instant()).compareTo(FAST_POLLING) < 0;
      if (health.healthy() != wasHealthy) {
        wasHealthy = health.healthy();
        log.info(
            "health changed",
            "healthy",
            health.healthy(),
            "ready",
            health.ready(),
            "envoy",
            health.envoyState());
      }
      long base = starting ? Math.min(500, interval.toMillis()) : interval.toMillis();
      long sleep = base + ThreadLocalRandom.current().nextLong(base / 10 + 1);
      try {
        if (wakeups.tryAcquire(sleep, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          wakeups.drainPermits();
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
