package dev.meshboot.testing;

import dev.meshboot.io.Transport;

/** One event loop for the tests of a JVM (its thread is a daemon): what a run's session owns. */
public final class SharedTransport {

  private static final Transport TRANSPORT = Transport.open();

  private SharedTransport() {}

  public static Transport get() {
    return TRANSPORT;
  }
}
