package dev.meshboot.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Envoy's Prometheus page as a stream of lines, so that a page of hundreds of thousands of series
 * (tens of megabytes) passes through meshboot's 64 MB heap without being held: each line is handed
 * on as a range of a reused buffer, never as a string.
 */
final class PrometheusLines {

  /** The longest line accepted (label values are names: Envoy's lines are well under 1 KiB). */
  static final int MAX_LINE = 1 << 20;

  /** Receives lines (without their newline; empty ones too) and then the end. */
  interface Sink {
    void line(byte[] bytes, int from, int to) throws IOException;

    void end() throws IOException;
  }

  private PrometheusLines() {}

  /**
   * Reads {@code in} to its end, line by line, into {@code sink}; a last line without a newline is
   * a line (written back, it gets one).
   */
  static void read(InputStream in, Sink sink) throws IOException {
    byte[] buffer = new byte[64 << 10];
    int start = 0;
    int filled = 0;
    while (true) {
      if (filled == buffer.length) {
        if (start > 0) {
          System.arraycopy(buffer, start, buffer, 0, filled - start);
          filled -= start;
          start = 0;
        } else if (buffer.length >= MAX_LINE) {
          throw new IOException("a line of Envoy's Prometheus page is longer than 1 MiB");
        } else {
          buffer = java.util.Arrays.copyOf(buffer, Math.min(MAX_LINE, buffer.length * 2));
        }
      }
      int read = in.read(buffer, filled, buffer.length - filled);
      if (read < 0) {
        if (filled > start) {
          sink.line(buffer, start, filled);
        }
        sink.end();
        return;
      }
      int scan = filled;
      filled += read;
      for (int i = scan; i < filled; i++) {
        if (buffer[i] == '\n') {
          sink.line(buffer, start, i); // empty ones too: the page passes through as it is
          start = i + 1;
        }
      }
      if (start == filled) {
        start = 0;
        filled = 0;
      }
    }
  }

  /** A sink that writes each line and a newline to {@code out}. */
  static Sink writingTo(OutputStream out) {
    return writingTo(out, () -> "");
  }

  /** As {@link #writingTo(OutputStream)}, and at the end the text {@code trailer} gives then. */
  static Sink writingTo(OutputStream out, java.util.function.Supplier<String> trailer) {
    return new Sink() {
      @Override
      public void line(byte[] bytes, int from, int to) throws IOException {
        out.write(bytes, from, to - from);
        out.write('\n');
      }

      @Override
      public void end() throws IOException {
        out.write(trailer.get().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    };
  }

  /** Whether {@code bytes[from, to)} starts with {@code prefix} (Latin-1, as {@link #ascii}). */
  static boolean startsWith(byte[] bytes, int from, int to, String prefix) {
    if (to - from < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if ((bytes[from + i] & 0xff) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The index of {@code b} in {@code bytes[from, to)}, or {@code to}. */
  static int indexOf(byte[] bytes, int from, int to, byte b) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return to;
  }

  /** The index of the last {@code b} in {@code bytes[from, to)}, or -1. */
  static int lastIndexOf(byte[] bytes, int from, int to, byte b) {
    for (int i = to - 1; i >= from; i--) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** {@code bytes[from, to)} as an ASCII string. */
  static String ascii(byte[] bytes, int from, int to) {
    return new String(bytes, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
