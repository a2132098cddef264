package dev.meshboot.mesh.serve;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Turns a burst of events into one action: the action runs once no event came for {@code quiet},
 * and at the latest {@code most} after the burst's first event (an editor saving, a {@code git
 * checkout} or a ConfigMap swap writes several files; a writer that never stops still gets its
 * changes applied). Actions run on {@code timer}, one at a time; an event during an action starts a
 * new burst.
 */
final class Debouncer {

  private final Duration quiet;
  private final Duration most;
  private final ScheduledExecutorService timer;
  private final Runnable action;
  private final LongSupplier nanoTime;
  private final Object lock = new Object();

  @GuardedBy("lock")
  private long first;

  @GuardedBy("lock")
  private long last;

  @GuardedBy("lock")
  private @Nullable ScheduledFuture<?> pending;

  Debouncer(
      Duration quiet,
      Duration most,
      ScheduledExecutorService timer,
      Runnable action,
      LongSupplier nanoTime) {
    this.quiet = quiet;
    this.most = most;
    this.timer = timer;
    this.action = action;
    this.nanoTime = nanoTime;
  }

  /** An event: the action runs after the burst it belongs to. */
  void poke() {
    synchronized (lock) {
      long now = nanoTime.getAsLong();
      if (pending == null) {
        first = now;
      }
      last = now;
      schedule(now);
    }
  }

  @GuardedBy("lock")
  private void schedule(long now) {
    if (pending != null) {
      pending.cancel(false);
    }
    long due = Math.min(last + quiet.toNanos(), first + most.toNanos());
    pending = timer.schedule(this::fire, Math.max(0, due - now), TimeUnit.NANOSECONDS);
  }

  private void fire() {
    synchronized (lock) {
      long now = nanoTime.getAsLong();
      long due = Math.min(last + quiet.toNanos(), first + most.toNanos());
      if (now < due) {
        schedule(now); // a poke moved the deadline after this run was scheduled
        return;
      }
      pending = null;
    }
    action.run();
  }
}
