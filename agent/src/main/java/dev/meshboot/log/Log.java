package dev.meshboot.log;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * meshboot's logger: one line per event on stderr, {@code key=value} context, human-readable text
 * or JSON. A few lines of code instead of a logging framework keep start-up fast.
 */
public final class Log {

  /** Severity, lowest first. */
  public enum Level {
    DEBUG,
    INFO,
    WARN,
    ERROR
  }

  private static volatile Level threshold = Level.INFO;
  private static volatile boolean json;
  private static volatile PrintStream out = System.err;

  private final String logger;

  private Log(String logger) {
    this.logger = logger;
  }

  /** The logger of a class, named after its simple name. */
  public static Log of(Class<?> owner) {
    return new Log(owner.getSimpleName());
  }

  /** Sets the threshold and format for every logger. */
  public static void configure(Level level, boolean asJson) {
    threshold = level;
    json = asJson;
  }

  /** Redirects every logger (tests). */
  public static void redirect(PrintStream stream) {
    out = stream;
  }

  public boolean enabled(Level level) {
    return level.compareTo(threshold) >= 0;
  }

  public void debug(String message, @Nullable Object... keyValues) {
    log(Level.DEBUG, message, keyValues);
  }

  public void info(String message, @Nullable Object... keyValues) {
    log(Level.INFO, message, keyValues);
  }

  public void warn(String message, @Nullable Object... keyValues) {
    log(Level.WARN, message, keyValues);
  }

  public void error(String message, @Nullable Object... keyValues) {
    log(Level.ERROR, message, keyValues);
  }

  private void log(Level level, String message, @Nullable Object... keyValues) {
    if (!enabled(level)) {
      return;
    }
    String time = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    StringBuilder line = new StringBuilder(128);
    if (json) {
      line.append("{\"time\":\"").append(time).append("\",\"level\":\"").append(level);
      line.append("\",\"logger\":\"").append(logger).append("\",\"msg\":");
      quote(line, message);
      for (int i = 0; i + 1 < keyValues.length; i += 2) {
        line.append(',');
        quote(line, String.valueOf(keyValues[i]));
        line.append(':');
        quote(line, String.valueOf(keyValues[i + 1]));
      }
      line.append('}');
    } else {
      line.append(time).append(' ').append(String.format("%-5s", level)).append(' ');
      line.append(logger).append(": ").append(message);
      for (int i = 0; i + 1 < keyValues.length; i += 2) {
        String value = String.valueOf(keyValues[i + 1]);
        line.append(' ').append(keyValues[i]).append('=');
        if (value.isEmpty() || value.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=')) {
          quote(line, value);
        } else {
          line.append(value);
        }
      }
    }
    out.println(line);
  }

  private static void quote(StringBuilder line, String text) {
    line.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> line.append("\\\"");
        case '\\' -> line.append("\\\\");
        case '\n' -> line.append("\\n");
        case '\r' -> line.append("\\r");
        case '\t' -> line.append("\\t");
        default -> {
          if (c < 0x20) {
            line.append(String.format("\\u%04x", (int) c));
          } else {
            line.append(c);
          }
        }
      }
    }
    line.append('"');
  }
}
