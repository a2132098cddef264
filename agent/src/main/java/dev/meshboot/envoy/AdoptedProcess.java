package dev.meshboot.envoy;

import dev.meshboot.log.Log;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Envoy that {@code bin/meshboot} started before it became this JVM (issue #15: "the launcher
 * starts Envoy"), as a {@link Process} the {@link Supervisor} runs like one it started: a child of
 * this process (the launcher's {@code exec} kept its pid), waited for and signalled through {@link
 * Posix}. Its output goes straight to meshboot's stdout and stderr, which it inherited, so its
 * streams here are empty and an exit report has no stderr tail. Registered in {@link Children} from
 * the start, so the {@link Reaper} never takes its exit status.
 */
public final class AdoptedProcess extends Process {

  private static final Log log = Log.of(AdoptedProcess.class);

  private static final int SIGKILL = 9;
  private static final int SIGTERM = 15;

  /** What an exit that cannot be waited for (no native calls) is reported as. */
  private static final int UNKNOWN_EXIT = 255;

  private final int pid;
  private final Supplier<Optional<Posix>> posix;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();

  private AdoptedProcess(int pid, Supplier<Optional<Posix>> posix) {
    this.pid = pid;
    this.posix = posix;
  }

  /**
   * Adopts the child {@code pid} and starts waiting for it on a thread of its own.
   *
   * @param posix the native calls, loaded in the background (may block until they are)
   */
  public static AdoptedProcess adopt(int pid, Children children, Supplier<Optional<Posix>> posix) {
    children.adopt(pid);
    AdoptedProcess process = new AdoptedProcess(pid, posix);
    Thread.ofPlatform()
        .name("envoy-wait-" + pid)
        .daemon(true)
        .start(
            () -> {
              try {
                process.waitNatively();
              } finally {
                children.release(pid);
              }
            });
    return process;
  }

  /**
   * Waits for the exit, marks it (no signal is sent from then on) and only then reaps it: a pid
   * reaped before that could be another process's by the time a signal is sent.
   */
  private void waitNatively() {
    Optional<Posix> calls = posix.get();
    int code = UNKNOWN_EXIT;
    if (calls.isPresent()) {
      try {
        code = calls.get().awaitExit(pid);
      } catch (IllegalStateException e) {
        log.warn("cannot wait for envoy", "pid", pid, "error", e.getMessage());
      }
    } else {
      // Without waitid: the JDK can see it end but not how.
      ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().join());
    }
    synchronized (this) {
      exit.complete(code);
    }
    calls.ifPresent(found -> found.reap(pid));
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public OutputStream getOutputStream() {
    return OutputStream.nullOutputStream();
  }

  @Override
  public InputStream getInputStream() {
    return InputStream.nullInputStream();
  }

  @Override
  public InputStream getErrorStream() {
    return InputStream.nullInputStream();
  }

  @Override
  public int waitFor() throws InterruptedException {
    try {
      return exit.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      exit.get(timeout, unit);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public int exitValue() {
    Integer code = exit.getNow(null);
    if (code == null) {
      throw new IllegalThreadStateException("envoy " + pid + " has not exited");
    }
    return code;
  }

  @Override
  public boolean isAlive() {
    return !exit.isDone();
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return exit.thenApply(code -> this);
  }

  @Override
  public boolean supportsNormalTermination() {
    return true;
  }

  @Override
  public void destroy() {
    signal(SIGTERM);
  }

  @Override
  public Process destroyForcibly() {
    signal(SIGKILL);
    return this;
  }

  /** Signals it while it has not been reaped (afterwards its pid may be another process's). */
  private synchronized void signal(int signal) {
    if (exit.isDone()) {
      return;
    }
    Optional<Posix> calls = posix.get();
    if (calls.isPresent()) {
      calls.get().kill(pid, signal);
    } else {
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isPresent() && signal == SIGKILL) {
        handle.get().destroyForcibly();
      } else if (handle.isPresent()) {
        handle.get().destroy();
      }
    }
  }
}
