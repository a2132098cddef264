package dev.meshboot.envoy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Why an Envoy process ended, with what was seen of it.
 *
 * @param classification the kind of exit
 * @param code the exit code, or 128 + the signal for a process killed by one
 * @param signal the signal that killed it, 0 when none
 * @param at when it ended
 * @param uptime how long it ran
 * @param stderrTail the last lines Envoy wrote to stderr
 */
public record Exit(
    Classification classification,
    int code,
    int signal,
    Instant at,
    Duration uptime,
    List<String> stderrTail) {

  /** The kinds of exit, each handled differently by the restart policy. */
  public enum Classification {
    /** Exit code 0: asked to stop, or done. */
    CLEAN,
    /** Killed by a signal other than a crash signal (TERM, KILL, INT, HUP...). */
    SIGNAL,
    /** The kernel's OOM killer ended it (the cgroup's oom_kill count rose). */
    OOM_KILLED,
    /**
     * Envoy refused its configuration before it was ever LIVE ("error initializing configuration"
     * up to 1.3x, "error `...` initializing config" since); a restart would not help.
     */
    CONFIG_REJECTED,
    /** SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, or another non-zero exit. */
    CRASH;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Crash signals: SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV. */
  private static final List<Integer> CRASH_SIGNALS = List.of(4, 6, 7, 8, 11);

  /**
   * Classifies an exit.
   *
   * @param code {@code Process.exitValue()}: 128 + the signal when killed by one
   * @param everLive whether Envoy reached LIVE in this run
   * @param oomKillsRose whether the cgroup's oom_kill count rose while it ran
   */
  public static Exit classify(
      int code,
      boolean everLive,
      boolean oomKillsRose,
      Instant at,
      Duration uptime,
      List<String> stderrTail) {
    int signal = code > 128 && code < 160 ? code - 128 : 0;
    Classification classification;
    if (code == 0) {
      classification = Classification.CLEAN;
    } else if (oomKillsRose && signal == 9) {
      classification = Classification.OOM_KILLED;
    } else if (!everLive
        && signal == 0
        && stderrTail.stream().anyMatch(line -> line.contains("initializing config"))) {
      classification = Classification.CONFIG_REJECTED;
    } else if (signal != 0 && !CRASH_SIGNALS.contains(signal)) {
      classification = Classification.SIGNAL;
    } else {
      classification = Classification.CRASH;
    }
    return new Exit(classification, code, signal, at, uptime, List.copyOf(stderrTail));
  }

  /** One line for logs: {@code crash (exit 139, signal 11) after 3.2s}. */
  public String describe() {
    return classification.label()
        + " (exit "
        + code
        + (signal != 0 ? ", signal " + signal : "")
        + ") after "
        + uptime.toMillis() / 1000.0
        + "s";
  }
}
