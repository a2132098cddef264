package dev.meshboot.log;

import java.io.PrintStream;
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

  /**
   * {@code text} with the user information of any URL in it hidden ({@code https://user:pass@host}
   * becomes {@code https://***@host}): URLs from variables may carry a password.
   */
  public static String withoutUserInfo(String text) {
    return text.indexOf('@') < 0 ? text : USER_INFO.matcher(text).replaceAll("$1***@");
  }

  private static final java.util.regex.Pattern USER_INFO =
      java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s\"]*@");

  private void log(Level level, String message, @Nullable Object... keyValues) {
    if (!enabled(level)) {
      return;
    }
    message = withoutUserInfo(message);
    for (int i = 1; i < keyValues.length; i += 2) {
      if (keyValues[i] != null) {
        keyValues[i] = withoutUserInfo(String.valueOf(keyValues[i]));
      }
    }
    String time = timestamp(System.currentTimeMillis());
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
      line.append(time).append(' ').append(level).append(level.name().length() == 4 ? "  " : " ");
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

  /**
   * {@code 2026-11-28T20:11:36.494Z}, computed directly: java.time's formatter costs milliseconds
   * of start-up on the first log line. Days to civil date after Howard Hinnant's algorithm.
   */
  static String timestamp(long epochMillis) {
    long days = Math.floorDiv(epochMillis, 86_400_000L);
    long millisOfDay = Math.floorMod(epochMillis, 86_400_000L);
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long dayOfEra = z - era * 146_097;
    long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long mp = (5 * dayOfYear + 2) / 153;
    long day = dayOfYear - (153 * mp + 2) / 5 + 1;
    long month = mp < 10 ? mp + 3 : mp - 9;
    long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    StringBuilder out = new StringBuilder(24);
    out.append(year).append('-');
    two(out, month).append('-');
    two(out, day).append('T');
    two(out, millisOfDay / 3_600_000).append(':');
    two(out, millisOfDay / 60_000 % 60).append(':');
    two(out, millisOfDay / 1000 % 60).append('.');
    long millis = millisOfDay % 1000;
    out.append(millis < 100 ? "0" : "").append(millis < 10 ? "0" : "").append(millis);
    return out.append('Z').toString();
  }

  private static StringBuilder two(StringBuilder out, long value) {
    return out.append(value < 10 ? "0" : "").append(value);
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
            line.append("\\u00").append(c < 0x10 ? "0" : "").append(Integer.toHexString(c));
          } else {
            line.append(c);
          }
        }
      }
    }
    line.append('"');
  }
}
