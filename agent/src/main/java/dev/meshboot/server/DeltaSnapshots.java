package dev.meshboot.server;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.meshboot.http.HttpClient;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The snapshots {@code delta} subtracts: one a minute, taken only while someone asks for {@code
 * delta}, each on a virtual thread and never two at once. The first request starts them (and is
 * answered whole: there is nothing to subtract yet); ten minutes without one stop them and drop the
 * last, so that a sidecar nobody scrapes with {@code delta} neither fetches Envoy's page every
 * minute nor keeps its series.
 */
final class DeltaSnapshots {

  private static final Log log = Log.of(DeltaSnapshots.class);

  /** Opens Envoy's Prometheus page. */
  interface Pages {
    HttpClient.Streamed open() throws IOException;
  }

  private record Snapshot(long pid, PrometheusDelta delta) {}

  private final Supplier<OptionalLong> envoyPid;
  private final Pages pages;
  private final ScheduledExecutorService timer;
  private final Duration period;
  private final Duration idle;
  private final LongSupplier nanoTime;
  private final Object lock = new Object();

  @GuardedBy("lock")
  private @Nullable ScheduledFuture<?> task;

  @GuardedBy("lock")
  private long lastAsked;

  /** Counts starts and stops: a snapshot taken across a stop is not kept. */
  @GuardedBy("lock")
  private long generation;

  @GuardedBy("lock")
  private @Nullable Snapshot latest;

  /** Whether a snapshot is being taken (on a virtual thread: the timer only starts it). */
  private final java.util.concurrent.atomic.AtomicBoolean taking =
      new java.util.concurrent.atomic.AtomicBoolean();

  DeltaSnapshots(
      Supplier<OptionalLong> envoyPid,
      Pages pages,
      ScheduledExecutorService timer,
      Duration period,
      Duration idle,
      LongSupplier nanoTime) {
    this.envoyPid = envoyPid;
    this.pages = pages;
    this.timer = timer;
    this.period = period;
    this.idle = idle;
    this.nanoTime = nanoTime;
  }

  /**
   * A {@code delta} request: (re)starts the snapshots and returns the latest, if it is of the Envoy
   * running now (a snapshot of another Envoy process does not count).
   */
  Optional<PrometheusDelta> deltaAsked() {
    Snapshot snapshot;
    synchronized (lock) {
      lastAsked = nanoTime.getAsLong();
      if (task == null) {
        generation++;
        task =
            timer.scheduleAtFixedRate(
                this::startTaking, 0, period.toMillis(), TimeUnit.MILLISECONDS);
      }
      snapshot = latest;
    }
    OptionalLong pid = envoyPid.get();
    return snapshot != null && pid.isPresent() && snapshot.pid() == pid.getAsLong()
        ? Optional.of(snapshot.delta())
        : Optional.empty();
  }

  /** Whether snapshots are being taken. */
  boolean running() {
    synchronized (lock) {
      return task != null;
    }
  }

  /**
   * On the timer: starts a snapshot on a virtual thread, unless one is still being taken (a slow
   * Envoy must not hold up the timer, which also reverts log levels, nor pile snapshots up).
   */
  private void startTaking() {
    if (taking.compareAndSet(false, true)) {
      Thread.ofVirtual()
          .name("meshboot-delta-snapshot")
          .start(
              () -> {
                try {
                  take();
                } finally {
                  taking.set(false);
                }
              });
    }
  }

  /** Takes a snapshot, or stops when {@code delta} has not been asked for in a while. */
  void take() {
    long taken;
    int expected;
    synchronized (lock) {
      if (nanoTime.getAsLong() - lastAsked > idle.toNanos()) {
        stopLocked();
        return;
      }
      taken = generation;
      expected = latest == null ? 0 : latest.delta().series();
    }
    OptionalLong pid = envoyPid.get();
    Snapshot snapshot = null;
    if (pid.isPresent()) {
      try (HttpClient.Streamed page = pages.open()) {
        snapshot = new Snapshot(pid.getAsLong(), PrometheusDelta.snapshot(page.body(), expected));
      } catch (IOException e) {
        log.debug("no Prometheus snapshot this minute", "error", e.getMessage());
        return;
      }
    }
    synchronized (lock) {
      if (generation == taken && task != null) {
        latest = snapshot;
      }
    }
  }

  /** Stops taking snapshots and drops the last. */
  void stop() {
    synchronized (lock) {
      stopLocked();
    }
  }

  @GuardedBy("lock")
  private void stopLocked() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
    generation++;
    latest = null;
  }
}
