package dev.meshboot.envoy;

import dev.meshboot.log.Log;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reaps orphaned processes that were reparented to meshboot (as PID 1, or as a child subreaper), so
 * that none is left a zombie. The JVM waits for the processes it started itself: their pids are
 * {@link #launch(ProcessBuilder) registered} and never reaped here, so Envoy's exit status stays
 * with the supervisor; so are those {@link SessionProcess} spawns, which it reaps itself. Polls
 * once a second on a named daemon thread that {@link #close()} stops.
 */
public final class Reaper implements AutoCloseable {

  private static final Log log = Log.of(Reaper.class);

  private static final Set<Long> OWN = ConcurrentHashMap.newKeySet();

  private final Posix posix;
  private final Thread thread;

  private Reaper(Posix posix) {
    this.posix = posix;
    this.thread = Thread.ofPlatform().name("meshboot-reaper").daemon(true).unstarted(this::loop);
  }

  /**
   * Starts a process the JVM will wait for, registered before the reaper can look: a child that
   * exits at once is never reaped from under the JVM.
   */
  public static Process launch(ProcessBuilder builder) throws IOException {
    synchronized (OWN) {
      Process process = builder.start();
      OWN.add(process.pid());
      unregisterOnExit(process);
      return process;
    }
  }

  /**
   * Spawns a child in a session of its own, registered like {@link #launch(ProcessBuilder)}; the
   * caller waits for it and then {@link #release releases} its pid.
   */
  static Posix.Child spawn(Posix posix, List<String> argv, Map<String, String> environment)
      throws IOException {
    synchronized (OWN) {
      Posix.Child child = posix.spawn(argv, environment);
      OWN.add((long) child.pid());
      return child;
    }
  }

  /** Forgets a registered pid once its process has been reaped. */
  static void release(long pid) {
    OWN.remove(pid);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the future only unregisters the pid
  private static void unregisterOnExit(Process process) {
    process.onExit().thenRun(() -> OWN.remove(process.pid()));
  }

  /** Becomes a child subreaper and starts reaping. */
  public static Reaper start(Posix posix) {
    if (!posix.becomeSubreaper()) {
      log.warn("cannot become a child subreaper; orphans of Envoy's children go to PID 1");
    }
    Reaper reaper = new Reaper(posix);
    reaper.thread.start();
    return reaper;
  }

  /** Reaps every exited orphan now; returns how many. */
  int reapOnce() {
    synchronized (OWN) {
      return reapAll();
    }
  }

  private int reapAll() {
    int reaped = 0;
    for (int i = 0; i < 64; i++) {
      OptionalInt pid = posix.exitedChild();
      if (pid.isEmpty() || OWN.contains((long) pid.getAsInt())) {
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
