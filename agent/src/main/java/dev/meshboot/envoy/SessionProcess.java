package dev.meshboot.envoy;

import dev.meshboot.log.Log;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child process in a session and process group of its own, so that a terminal's Ctrl-C (SIGINT to
 * the foreground process group) reaches meshboot only, and meshboot drains Envoy instead of Envoy
 * dying at once. {@link ProcessBuilder} cannot call {@code setsid}, so it is spawned through {@link
 * Posix}. One platform daemon thread waits for it; its stdin is meshboot's. Its output streams are
 * plain pipes, whose reads hold an OS thread: read them on platform threads.
 */
public final class SessionProcess extends Process {

  private static final Log log = Log.of(SessionProcess.class);

  private static final int SIGKILL = 9;
  private static final int SIGTERM = 15;

  private final Posix posix;
  private final Children children;
  private final int pid;
  private final ProcessHandle handle;
  private final InputStream stdout;
  private final InputStream stderr;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();

  /** Guards signalling against reaping: a reaped pid may already belong to another process. */
  private final Object lock = new Object();

  private boolean reaped; // guarded by lock

  private SessionProcess(
      Posix posix,
      Children children,
      int pid,
      ProcessHandle handle,
      InputStream stdout,
      InputStream stderr) {
    this.posix = posix;
    this.children = children;
    this.pid = pid;
    this.handle = handle;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts Envoy through {@link SessionProcess} where the platform can, else through {@link
   * ProcessBuilder} (in meshboot's process group) after one warning; with the environment as it is
   * at each start, {@code prefix} before Envoy's command (the parent-death wrapper, {@link
   * ParentDeath}), and the child registered in {@code children}.
   */
  public static Supervisor.Launcher launcher(
      Optional<Posix> posix,
      Children children,
      java.util.function.Supplier<Map<String, String>> environment,
      List<String> prefix) {
    if (posix.isPresent() && posix.get().canSpawn()) {
      return argv -> start(posix.get(), children, prefixed(prefix, argv), environment.get());
    }
    log.warn(
        "cannot start Envoy in a session of its own (needs Linux with glibc 2.34 or later):"
            + " a terminal's Ctrl-C reaches Envoy too and stops it without draining");
    return argv -> {
      ProcessBuilder builder =
          new ProcessBuilder(prefixed(prefix, argv)).redirectInput(ProcessBuilder.Redirect.INHERIT);
      builder.environment().clear();
      builder.environment().putAll(environment.get());
      return children.launch(builder);
    };
  }

  private static List<String> prefixed(List<String> prefix, List<String> argv) {
    if (prefix.isEmpty()) {
      return argv;
    }
    List<String> all = new java.util.ArrayList<>(prefix);
    all.addAll(argv);
    return all;
  }

  /** Spawns {@code argv} with {@code environment} and starts waiting for it. */
  public static SessionProcess start(
      Posix posix, Children children, List<String> argv, Map<String, String> environment)
      throws IOException {
    Posix.Child child = children.spawn(posix, argv, environment);
    SessionProcess process;
    try {
      process =
          new SessionProcess(
              posix,
              children,
              child.pid(),
              ProcessHandle.of(child.pid())
                  .orElseThrow(() -> new IOException("no process " + child.pid() + " after spawn")),
              open(posix, child.stdout()),
              open(posix, child.stderr()));
    } catch (IOException | RuntimeException e) {
      posix.close(child.stdout());
      posix.close(child.stderr());
      try {
        posix.kill(child.pid(), SIGKILL);
        posix.waitFor(child.pid());
        children.release(child.pid());
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    Thread.ofPlatform().name("session-process-" + child.pid()).daemon(true).start(process::await);
    return process;
  }

  /** A stream on a pipe's read end; the descriptor is closed, the stream holds its own. */
  private static InputStream open(Posix posix, int fd) throws IOException {
    try {
      return new FileInputStream("/proc/self/fd/" + fd);
    } finally {
      posix.close(fd);
    }
  }

  /**
   * Waits for the exit without reaping, then reaps under the lock, so that {@link #destroy()} never
   * signals a pid the kernel may have handed to another process.
   */
  private void await() {
    int code;
    try {
      posix.awaitExit(pid);
      synchronized (lock) {
        code = posix.waitFor(pid);
        reaped = true;
      }
    } catch (IOException e) {
      // Only another waiter for this pid could cause it; a Reaper never takes a registered pid.
      log.error("cannot wait for a child process; its exit status is lost", "pid", pid, "error", e);
      synchronized (lock) {
        reaped = true;
      }
      code = -1;
    }
    children.release(pid);
    exit.complete(code);
  }

  @Override
  public OutputStream getOutputStream() {
    return OutputStream.nullOutputStream();
  }

  @Override
  public InputStream getInputStream() {
    return stdout;
  }

  @Override
  public InputStream getErrorStream() {
    return stderr;
  }

  @Override
  public int waitFor() throws InterruptedException {
    try {
      return exit.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      exit.get(timeout, unit);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return exit.thenApply(code -> this);
  }

  /** The exit code, or 128 + the signal that killed it; -1 when its status was lost. */
  @Override
  public int exitValue() {
    if (!exit.isDone()) {
      throw new IllegalThreadStateException("process " + pid + " has not exited");
    }
    return exit.join();
  }

  @Override
  public boolean isAlive() {
    return !exit.isDone();
  }

  /** SIGTERM; nothing once the process has exited. */
  @Override
  public void destroy() {
    signal(SIGTERM);
  }

  /** SIGKILL; nothing once the process has exited. */
  @Override
  public Process destroyForcibly() {
    signal(SIGKILL);
    return this;
  }

  private void signal(int signal) {
    synchronized (lock) {
      if (reaped) {
        return;
      }
      try {
        posix.kill(pid, signal);
      } catch (IOException e) {
        log.warn("cannot signal a child process", "pid", pid, "error", e.getMessage());
      }
    }
  }

  @Override
  public boolean supportsNormalTermination() {
    return true;
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public ProcessHandle toHandle() {
    return handle;
  }

  @Override
  public String toString() {
    return "SessionProcess[pid=" + pid + (isAlive() ? "" : ", exitValue=" + exitValue()) + "]";
  }
}
