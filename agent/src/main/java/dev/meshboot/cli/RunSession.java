package dev.meshboot.cli;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.meshboot.log.Log;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The owner of one {@code meshboot run}: the resources it started (the event loop, the reaper, the
 * poller, the management API, the credentials, the relay), closed in the reverse of the order they
 * were started in, and its lifecycle, which only moves forward: {@link State#STARTING} until Envoy
 * is launched, {@link State#RUNNING} while it is supervised, {@link State#DRAINING} from the first
 * stop request (a signal, {@code /quitquitquit}) and {@link State#STOPPED} once everything is
 * closed. A stop requested while starting is kept: what is running then is told to stop (the
 * renderer killed, the supervisor told not to start Envoy), and nothing further is started.
 */
final class RunSession implements AutoCloseable {

  /** Where a run is in its life. */
  enum State {
    STARTING,
    RUNNING,
    DRAINING,
    STOPPED
  }

  private static final Log log = Log.of(RunSession.class);

  private record Owned(String name, AutoCloseable resource) {}

  private final Object lock = new Object();

  @GuardedBy("lock")
  private State state = State.STARTING;

  @GuardedBy("lock")
  private final Deque<Owned> owned = new ArrayDeque<>();

  @GuardedBy("lock")
  private final List<Runnable> onStop = new ArrayList<>();

  @GuardedBy("lock")
  private boolean stopRequested;

  /** The current state. */
  State state() {
    synchronized (lock) {
      return state;
    }
  }

  /** Whether a stop has been requested (the run is draining or stopped). */
  boolean stopRequested() {
    synchronized (lock) {
      return stopRequested;
    }
  }

  /**
   * Takes {@code resource}, to be closed before everything owned earlier. A closed session owns
   * nothing more: the resource is closed at once and an {@link IllegalStateException} thrown.
   */
  <T extends AutoCloseable> T own(String name, T resource) {
    synchronized (lock) {
      if (state != State.STOPPED) {
        owned.push(new Owned(name, resource));
        return resource;
      }
    }
    closeQuietly(new Owned(name, resource));
    throw new IllegalStateException("the run is over; " + name + " not started");
  }

  /**
   * Calls {@code action} on every stop request from now on, and at once if a stop was already
   * requested (a signal during start-up reaches what starts after it).
   */
  void onStop(Runnable action) {
    boolean now;
    synchronized (lock) {
      onStop.add(action);
      now = stopRequested;
    }
    if (now) {
      action.run();
    }
  }

  /**
   * Envoy has been launched: {@link State#STARTING} becomes {@link State#RUNNING}, unless a stop
   * came first.
   */
  void running() {
    synchronized (lock) {
      if (state == State.STARTING) {
        state = State.RUNNING;
      }
    }
  }

  /**
   * Asks the run to stop (signal handlers, the API): the first request moves it to {@link
   * State#DRAINING}; every request is passed to the stop actions (the supervisor's second request
   * kills Envoy without draining).
   */
  void requestStop() {
    List<Runnable> actions;
    synchronized (lock) {
      stopRequested = true;
      if (state == State.STARTING || state == State.RUNNING) {
        state = State.DRAINING;
      }
      actions = List.copyOf(onStop);
    }
    for (Runnable action : actions) {
      action.run();
    }
  }

  /** Closes what the run owns, newest first; each failure is logged, none stops the rest. */
  @Override
  public void close() {
    List<Owned> closing = new ArrayList<>();
    synchronized (lock) {
      if (state == State.STOPPED) {
        return;
      }
      state = State.STOPPED;
      while (!owned.isEmpty()) {
        closing.add(owned.pop());
      }
    }
    closing.forEach(RunSession::closeQuietly);
  }

  private static void closeQuietly(Owned owned) {
    try {
      owned.resource().close();
    } catch (Exception e) {
      log.warn("cannot close", "resource", owned.name(), "error", e.toString());
    }
  }
}
