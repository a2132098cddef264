package dev.meshboot.envoy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Forwards one of Envoy's output streams line by line, unchanged, and keeps the last lines for exit
 * reports. Runs on a named platform daemon thread: a read from a pipe holds its OS thread, so pumps
 * on virtual threads could take every carrier of a two-CPU host and stall the agent's endpoints
 * (two did, on streams the JDK did not create).
 */
final class OutputPump {

  static final int TAIL_LINES = 50;

  private final Deque<String> tail = new ArrayDeque<>();
  private final Thread thread;

  private OutputPump(InputStream in, PrintStream out, String name) {
    this.thread =
        Thread.ofPlatform()
            .name(name)
            .daemon(true)
            .unstarted(
                () -> {
                  try (BufferedReader reader =
                      new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                      out.println(line);
                      remember(line);
                    }
                  } catch (IOException e) {
                    // the process is gone; what was read is kept
                  }
                });
  }

  static OutputPump start(InputStream in, PrintStream out, String name) {
    OutputPump pump = new OutputPump(in, out, name);
    pump.thread.start();
    return pump;
  }

  private synchronized void remember(String line) {
    if (tail.size() == TAIL_LINES) {
      tail.removeFirst();
    }
    tail.addLast(line);
  }

  /** The last lines, after the stream ended (waits at most a second for it to drain). */
  List<String> tail() {
    try {
      thread.join(java.time.Duration.ofSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      return List.copyOf(tail);
    }
  }
}
