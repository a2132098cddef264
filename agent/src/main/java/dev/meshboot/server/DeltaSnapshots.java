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
 * delta}. The first request starts them (and is answered whole: there is nothing to subtract yet);
 * ten minutes without one stop them and drop the last, so that a sidecar nobody scrapes with {@code
 * delta} neither fetches Envoy's page every minute nor keeps its series.
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

  private volatile @Nullable Snapshot latest;

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
    synchronized (lock) {
      lastAsked = nanoTime.getAsLong();
      if (task == null) {
        task = timer.scheduleAtFixedRate(this::take, 0, period.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    Snapshot snapshot = latest;
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

  /** Takes a snapshot, or stops when {@code delta} has not been asked for in a while. */
  void take() {
    synchronized (lock) {
      if (nanoTime.getAsLong() - lastAsked > idle.toNanos()) {
        stopLocked();
        return;
      }
    }
    OptionalLong pid = envoyPid.get();
    if (pid.isEmpty()) {
      latest = null;
      return;
    }
    try (HttpClient.Streamed page = pages.open()) {
      latest = new Snapshot(pid.getAsLong(), PrometheusDelta.snapshot(page.body()));
    } catch (IOException e) {
      log.debug("no Prometheus snapshot this minute", "error", e.getMessage());
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
    latest = null;
  }
}
