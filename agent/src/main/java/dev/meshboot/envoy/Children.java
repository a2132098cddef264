package dev.meshboot.envoy;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The processes this JVM started and waits for itself (Envoy, the renderer, version probes): a
 * {@link Reaper} built on the same registry never reaps them, so their exit status stays with
 * whoever waits. One registry per command run ({@code Main.Context} holds it); a pid is registered
 * under the same lock the reaper holds while it reaps, so a child that exits at once is never
 * reaped from under the JVM.
 */
public final class Children {

  private final Object lock = new Object();

  @GuardedBy("lock")
  private final Set<Long> own = new HashSet<>();

  /** Starts a process the JVM will wait for, registered until it exits. */
  public Process launch(ProcessBuilder builder) throws IOException {
    synchronized (lock) {
      Process process = builder.start();
      own.add(process.pid());
      unregisterOnExit(process);
      return process;
    }
  }

  /**
   * Registers a child this JVM did not start (the Envoy the launcher started before it became this
   * JVM): the reaper leaves it to whoever waits for it, until {@link #release(long)}.
   */
  void adopt(long pid) {
    synchronized (lock) {
      own.add(pid);
    }
  }

  /** Forgets a registered pid once its process has been reaped. */
  void release(long pid) {
    synchronized (lock) {
      own.remove(pid);
    }
  }

  /**
   * Runs {@code reaping} while no child can be registered; {@code reaping} is told which pids are
   * registered.
   */
  int whileRegistering(java.util.function.ToIntFunction<Set<Long>> reaping) {
    synchronized (lock) {
      return reaping.applyAsInt(java.util.Collections.unmodifiableSet(own));
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the future only unregisters the pid
  private void unregisterOnExit(Process process) {
    process.onExit().thenRun(() -> release(process.pid()));
  }
}
