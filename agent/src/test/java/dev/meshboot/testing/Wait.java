package dev.meshboot.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** The tests' one way to wait for a condition: polled, bounded, and failing with what it was. */
public final class Wait {

  /** A condition; an exception fails the wait. */
  @FunctionalInterface
  public interface Check {
    boolean ok() throws Exception;
  }

  /** How often {@link #until(String, Duration, Check)} looks. */
  public static final Duration POLL = Duration.ofMillis(20);

  private Wait() {}

  /** Waits until {@code check} holds; fails after {@code timeout} naming {@code what}. */
  public static void until(String what, Duration timeout, Check check) throws Exception {
    until(what, timeout, POLL, check, () -> true, () -> "");
  }

  /**
   * Waits until {@code check} holds, looking every {@code poll}, while {@code going} does (a
   * process alive); fails after {@code timeout}, or as soon as {@code going} stops, naming {@code
   * what} with {@code context} (a log).
   */
  public static void until(
      String what,
      Duration timeout,
      Duration poll,
      Check check,
      Check going,
      Supplier<String> context)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.ok()) {
      if (!going.ok()) {
        throw new AssertionError("gave up waiting for " + what + ":\n" + context.get());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "no " + what + " within " + timeout.toMillis() + " ms:\n" + context.get());
      }
      Thread.sleep(poll);
    }
  }
}
