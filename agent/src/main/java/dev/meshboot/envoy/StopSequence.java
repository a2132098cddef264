package dev.meshboot.envoy;

import dev.meshboot.log.Log;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * How the {@link Supervisor} stops one Envoy process on shutdown: drain inbound listeners, wait for
 * connections to close, then {@code /quitquitquit}, SIGTERM and SIGKILL, each step bounded by
 * {@link Supervisor.Shutdown}. A second shutdown request skips to SIGKILL.
 */
final class StopSequence {

  private static final Log log = Log.of(StopSequence.class);

  private final Optional<AdminClient> admin;
  private final Supervisor.Shutdown bounds;
  private final Clock clock;
  private final IntSupplier requests;

  /** {@code requests}: the shutdown requests so far (one, or more to hurry). */
  StopSequence(
      Optional<AdminClient> admin, Supervisor.Shutdown bounds, Clock clock, IntSupplier requests) {
    this.admin = admin;
    this.bounds = bounds;
    this.clock = clock;
    this.requests = requests;
  }

  /**
   * Drain inbound listeners (meshboot owns the exit), wait for connections to close within the
   * bounds, then {@code /quitquitquit}, SIGTERM and SIGKILL, each after a bounded wait. A second
   * shutdown request jumps to SIGKILL.
   */
  void stop(Process process) {
    if (admin.isPresent() && requests.getAsInt() == 1) {
      try {
        admin.get().drain(true);
        log.info("draining inbound listeners", "max_s", bounds.drainTime().toSeconds());
        waitForDrain(process);
      } catch (IOException e) {
        log.warn("cannot drain through Envoy's admin interface", "error", e.getMessage());
      }
      if (requests.getAsInt() == 1 && process.isAlive()) {
        try {
          admin.get().quit();
        } catch (IOException e) {
          log.warn("cannot ask Envoy to quit", "error", e.getMessage());
        }
        if (waitFor(process, bounds.stepTimeout())) {
          return;
        }
      }
    }
    if (requests.getAsInt() == 1 && process.isAlive()) {
      process.destroy();
      if (waitFor(process, bounds.stepTimeout())) {
        return;
      }
    }
    process.destroyForcibly();
    waitFor(process, bounds.stepTimeout());
  }

  private void waitForDrain(Process process) {
    Instant start = clock.instant();
    Instant deadline = start.plus(bounds.drainTime());
    Instant earliest = start.plus(bounds.minDrain());
    while (process.isAlive() && requests.getAsInt() == 1 && clock.instant().isBefore(deadline)) {
      if (!clock.instant().isBefore(earliest)) {
        try {
          long active = admin.orElseThrow().activeDownstreamConnections();
          if (active == 0) {
            log.info("no connections left; stopping Envoy");
            return;
          }
        } catch (IOException | NumberFormatException e) {
          // keep waiting for the deadline
        }
      }
      if (waitFor(process, Duration.ofMillis(250))) {
        return;
      }
    }
  }

  /** Waits for the process to end; gives up early when a second shutdown request arrives. */
  private boolean waitFor(Process process, Duration timeout) {
    Instant deadline = clock.instant().plus(timeout);
    try {
      while (clock.instant().isBefore(deadline)) {
        if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
          return true;
        }
        if (requests.getAsInt() > 1) {
          return false;
        }
      }
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }
}
