package dev.meshboot.cli;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.meshboot.log.Log;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The task-aware shutdown of {@code meshboot run} in an ECS task: on the first stop request Envoy
 * keeps serving, unchanged, until the task's other containers have stopped, so the app's in-flight
 * egress calls through Envoy complete; then the usual stop sequence starts. The wait is bounded: by
 * {@code bound} (the drain time), by the first failing or nonsensical metadata answer (a warning,
 * the wait ends at once) and by a second stop request, which is passed on at once so the stop
 * sequence kills Envoy as it does for any second request.
 */
final class TaskAwareStop {

  /** The task's other containers still running; throws when the metadata cannot tell. */
  interface Peers {
    List<String> running() throws IOException;
  }

  /** Finds the peers (one request to learn meshboot's own container). */
  interface PeersSource {
    Peers open() throws IOException;
  }

  /** Why the wait ended. */
  enum Reason {
    PEERS_STOPPED,
    BOUND_REACHED,
    SECOND_REQUEST,
    METADATA_FAILED
  }

  private static final Log log = Log.of(TaskAwareStop.class);

  private final PeersSource source;
  private final Duration bound;
  private final Duration interval;
  private final Runnable stop;
  private final Object lock = new Object();

  @GuardedBy("lock")
  private int requests;

  @GuardedBy("lock")
  private boolean released;

  /**
   * @param stop the stop action behind the wait (the supervisor's shutdown), called once per stop
   *     request, the first after the wait
   */
  TaskAwareStop(PeersSource source, Duration bound, Duration interval, Runnable stop) {
    this.source = source;
    this.bound = bound;
    this.interval = interval;
    this.stop = stop;
  }

  /**
   * One stop request: the first starts the wait on a daemon thread (signal handlers must not
   * block); later ones end it, and once it has ended go straight to the stop action.
   */
  void request() {
    boolean first;
    boolean passOn;
    synchronized (lock) {
      requests++;
      first = requests == 1;
      passOn = released;
      lock.notifyAll();
    }
    if (first) {
      Thread waiter =
          new Thread(
              () -> {
                var unused = await();
                release();
              },
              "meshboot-task-stop");
      waiter.setDaemon(true);
      waiter.start();
    } else if (passOn) {
      stop.run();
    }
  }

  /** Ends the wait: the stop action once for every request so far, later ones pass straight on. */
  private void release() {
    int seen;
    synchronized (lock) {
      released = true;
      seen = requests;
    }
    for (int i = 0; i < seen; i++) {
      stop.run();
    }
  }

  /** Waits while other containers of the task run; never longer than the bound. */
  Reason await() {
    long deadline = System.nanoTime() + bound.toNanos();
    Peers peers;
    try {
      peers = source.open();
    } catch (IOException | RuntimeException e) {
      return failed(e);
    }
    List<String> last = List.of();
    while (true) {
      List<String> running;
      try {
        running = peers.running();
      } catch (IOException | RuntimeException e) {
        return failed(e);
      }
      if (running.isEmpty()) {
        log.info("the task's other containers have stopped; stopping Envoy");
        return Reason.PEERS_STOPPED;
      }
      if (!running.equals(last)) {
        log.info(
            "keeping Envoy serving until the task's other containers stop",
            "running",
            String.join(",", running),
            "max_s",
            bound.toSeconds());
        last = running;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        log.info(
            "the task's other containers still run after the drain time; stopping Envoy",
            "running",
            String.join(",", running));
        return Reason.BOUND_REACHED;
      }
      if (pause(Math.min(left, interval.toNanos()))) {
        log.info("second stop request; no longer waiting for the task's other containers");
        return Reason.SECOND_REQUEST;
      }
    }
  }

  /** Sleeps up to {@code nanos}; true when a second request came. */
  private boolean pause(long nanos) {
    long until = System.nanoTime() + nanos;
    synchronized (lock) {
      while (requests < 2) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return true;
        }
      }
      return true;
    }
  }

  private static Reason failed(Exception e) {
    String message = e.getMessage();
    log.warn(
        "task metadata cannot tell whether the task's other containers run; stopping Envoy now",
        "error",
        message == null || message.isBlank() ? e.getClass().getSimpleName() : message);
    return Reason.METADATA_FAILED;
  }
}
