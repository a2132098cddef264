package dev.meshboot.envoy;

import dev.meshboot.log.Log;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reaps orphaned processes that were reparented to meshboot (as PID 1, or as a child subreaper), so
 * that none is left a zombie. The JVM waits for the processes it started itself: their pids are
 * registered in {@link Children} and never reaped here, so Envoy's exit status stays with the
 * supervisor. Polls once a second on a named daemon thread that {@link #close()} stops.
 */
public final class Reaper implements AutoCloseable {

  private static final Log log = Log.of(Reaper.class);

  private final Posix posix;
  private final Children children;
  private final Thread thread;

  private Reaper(Posix posix, Children children) {
    this.posix = posix;
    this.children = children;
    this.thread = Thread.ofPlatform().name("meshboot-reaper").daemon(true).unstarted(this::loop);
  }

  /** Becomes a child subreaper and starts reaping. */
  public static Reaper start(Posix posix, Children children) {
    if (!posix.becomeSubreaper()) {
      log.warn("cannot become a child subreaper; orphans of Envoy's children go to PID 1");
    }
    Reaper reaper = new Reaper(posix, children);
    reaper.thread.start();
    return reaper;
  }

  /** Reaps every exited orphan now; returns how many. */
  int reapOnce() {
    return children.whileRegistering(this::reapAll);
  }

  private int reapAll(Set<Long> own) {
    int reaped = 0;
    for (int i = 0; i < 64; i++) {
      OptionalInt pid = posix.exitedChild();
      if (pid.isEmpty() || own.contains((long) pid.getAsInt())) {
        return reaped;
      }
      if (posix.reap(pid.getAsInt())) {
        reaped++;
        log.debug("reaped an orphaned process", "pid", pid.getAsInt());
      }
    }
    return reaped;
  }

  private void loop() {
    while (!Thread.currentThread().isInterrupted()) {
      reapOnce();
      try {
        Thread.sleep(Duration.ofSeconds(1));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
