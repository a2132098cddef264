package dev.meshboot.envoy;

import dev.meshboot.log.Log;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs Envoy as a child process: forwards its output, classifies every exit, restarts it by the
 * {@link RestartPolicy}, and on {@link #shutdown()} drains and stops it.
 */
public final class Supervisor {

  private static final Log log = Log.of(Supervisor.class);

  /** Starts a process; tests substitute scripts. */
  public interface Launcher {
    Process start(List<String> argv) throws IOException;
  }

  /** How a supervised run ended. */
  public enum Outcome {
    /** Shut down on request, or Envoy exited cleanly by itself. */
    STOPPED,
    /** Envoy kept dying and the restart budget is spent. */
    RESTARTS_EXHAUSTED,
    /** Envoy rejected its configuration. */
    CONFIG_REJECTED,
    /** Envoy could not be started at all. */
    NOT_STARTED
  }

  /**
   * The shutdown sequence's bounds.
   *
   * @param drainTime the longest drain wait
   * @param minDrain the shortest drain wait, even with no connections left
   * @param stepTimeout how long each of quitquitquit and SIGTERM may take before the next step
   */
  public record Shutdown(Duration drainTime, Duration minDrain, Duration stepTimeout) {}

  private final List<String> argv;
  private final Launcher launcher;
  private final RestartPolicy policy;
  private final Optional<AdminClient> admin;
  private final OomKills oomKills;
  private final Shutdown bounds;
  private final Clock clock;
  private final PrintStream out;
  private final PrintStream err;
  private final java.util.concurrent.CompletableFuture<Void> shutdownRequested =
      new java.util.concurrent.CompletableFuture<>();
  private final AtomicInteger signals = new AtomicInteger();
  private final AtomicBoolean everLive = new AtomicBoolean();
  private volatile Optional<Exit> lastExit = Optional.empty();
  private final List<Runnable> exitListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile java.util.OptionalLong pid = java.util.OptionalLong.empty();
  private volatile Optional<Instant> backoffUntil = Optional.empty();
  private final java.util.Map<Exit.Classification, AtomicInteger> exits =
      new java.util.concurrent.ConcurrentHashMap<>();

  public Supervisor(
      List<String> argv,
      Launcher launcher,
      RestartPolicy policy,
      Optional<AdminClient> admin,
      OomKills oomKills,
      Shutdown bounds,
      Clock clock,
      PrintStream out,
      PrintStream err) {
    this.argv = List.copyOf(argv);
    this.launcher = launcher;
    this.policy = policy;
    this.admin = admin;
    this.oomKills = oomKills;
    this.bounds = bounds;
    this.clock = clock;
    this.out = out;
    this.err = err;
  }

  /** Runs {@code listener} after each Envoy exit is classified (health polls at once). */
  public void onExit(Runnable listener) {
    exitListeners.add(listener);
  }

  /** The last exit seen, for status reports. */
  public Optional<Exit> lastExit() {
    return lastExit;
  }

  /** The running Envoy's pid; empty between processes. */
  public java.util.OptionalLong pid() {
    return pid;
  }

  /** Restarts so far, over the whole run. */
  public int restarts() {
    return exits.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Exits so far by classification. */
  public java.util.Map<Exit.Classification, Integer> exitsByClassification() {
    java.util.Map<Exit.Classification, Integer> out =
        new java.util.EnumMap<>(Exit.Classification.class);
    exits.forEach((kind, count) -> out.put(kind, count.get()));
    return out;
  }

  /** When the pending restart happens, during a backoff. */
  public Optional<Instant> backoffUntil() {
    return backoffUntil;
  }

  /**
   * Starts the shutdown sequence (from a signal handler or the API); a second call skips to the
   * end: Envoy is killed at once.
   */
  public void shutdown() {
    if (signals.incrementAndGet() > 1) {
      log.warn("second shutdown request: killing Envoy now");
    }
    shutdownRequested.complete(null);
  }

  /** Supervises until shutdown or until restarting stops; never throws for Envoy's failures. */
  public Outcome run() {
    if (shutdownRequested.isDone()) {
      log.info("shutdown requested before Envoy started; not starting it");
      return Outcome.STOPPED;
    }
    while (true) {
      Instant started = clock.instant();
      long oomBefore = oomKills.count();
      Process process;
      try {
        process = launcher.start(argv);
      } catch (IOException e) {
        log.error("cannot start Envoy", "command", String.join(" ", argv), "error", e.getMessage());
        return Outcome.NOT_STARTED;
      }
      log.info("envoy started", "pid", process.pid());
      pid = java.util.OptionalLong.of(process.pid());
      backoffUntil = Optional.empty();
      everLive.set(false);
      OutputPump stdout =
          OutputPump.start(process.getInputStream(), out, "envoy-stdout-" + process.pid());
      OutputPump stderr =
          OutputPump.start(process.getErrorStream(), err, "envoy-stderr-" + process.pid());
      Thread watcher = watchLive(process);
      boolean exited = awaitExitOrShutdown(process);
      watcher.interrupt();
      if (!exited) {
        new StopSequence(admin, bounds, clock, signals::get).stop(process);
        if (process.isAlive()) {
          // SIGKILL sent and waited for, yet not reaped (a process stuck in the kernel): say so
          // rather than fail on its exit status; the run still ends as stopped.
          log.error("envoy did not exit after SIGKILL; giving up on it", "pid", process.pid());
        } else {
          log.info("envoy stopped", "pid", process.pid(), "exit", process.exitValue());
        }
        return Outcome.STOPPED;
      }
      stdout.tail();
      Exit exit =
          Exit.classify(
              process.exitValue(),
              everLive.get(),
              oomKills.count() > oomBefore,
              clock.instant(),
              Duration.between(started, clock.instant()),
              stderr.tail());
      lastExit = Optional.of(exit);
      pid = java.util.OptionalLong.empty();
      exits.computeIfAbsent(exit.classification(), kind -> new AtomicInteger()).incrementAndGet();
      exitListeners.forEach(Runnable::run);
      if (exit.classification() == Exit.Classification.CLEAN) {
        log.info("envoy exited cleanly; meshboot stops too", "pid", process.pid());
        return Outcome.STOPPED;
      }
      RestartPolicy.Decision decision = policy.afterExit(exit, started);
      switch (decision) {
        case RestartPolicy.Decision.Stop stop -> {
          log.error(
              "envoy exited; not restarting",
              "pid",
              process.pid(),
              "exit",
              exit.describe(),
              "reason",
              stop.reason(),
              "stderr",
              String.join(
                  " | ",
                  exit.stderrTail()
                      .subList(
                          Math.max(0, exit.stderrTail().size() - 3), exit.stderrTail().size())));
          return stop.budgetSpent() ? Outcome.RESTARTS_EXHAUSTED : Outcome.CONFIG_REJECTED;
        }
        case RestartPolicy.Decision.Restart restart -> {
          log.warn(
              "envoy exited; restarting",
              "pid",
              process.pid(),
              "exit",
              exit.describe(),
              "attempt",
              restart.attempt() + "/" + restart.budget(),
              "delay_ms",
              restart.delay().toMillis());
          backoffUntil = Optional.of(clock.instant().plus(restart.delay()));
          if (awaitShutdown(restart.delay())) {
            log.info("shutdown requested during restart backoff");
            return Outcome.STOPPED;
          }
        }
      }
    }
  }

  /** Polls /ready until LIVE, so that an exit can tell "rejected at start" from "died later". */
  private Thread watchLive(Process process) {
    return Thread.ofVirtual()
        .name("envoy-live-" + process.pid())
        .start(
            () -> {
              if (admin.isEmpty()) {
                return;
              }
              while (process.isAlive() && !everLive.get()) {
                try {
                  if (admin.get().ready().equals("LIVE")) {
                    everLive.set(true);
                    log.info("envoy is LIVE", "pid", process.pid());
                    return;
                  }
                } catch (IOException e) {
                  // not listening yet
                }
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
  }

  /** Blocks, without polling, until Envoy exits (true) or a shutdown is requested (false). */
  private boolean awaitExitOrShutdown(Process process) {
    try {
      java.util.concurrent.CompletableFuture.anyOf(process.onExit(), shutdownRequested).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return !process.isAlive();
    }
    return !shutdownRequested.isDone();
  }

  private boolean awaitShutdown(Duration delay) {
    try {
      shutdownRequested.get(delay.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
