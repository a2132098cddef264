package dev.meshboot.log;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The libraries' logs (Netty and gRPC log through java.util.logging; the AWS SDK through SLF4J,
 * bound to java.util.logging) become meshboot log lines: one line each, in meshboot's format and
 * level, with an exception's message but not its stack. Their INFO is meshboot's DEBUG.
 */
public final class LibraryLogs extends Handler {

  private static final Log log = Log.of(LibraryLogs.class);

  private static final Formatter MESSAGE =
      new Formatter() {
        @Override
        public String format(LogRecord record) {
          return formatMessage(record);
        }
      };

  private LibraryLogs() {}

  /** Replaces java.util.logging's console handler with this bridge; idempotent. */
  public static void install() {
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler handler : root.getHandlers()) {
      if (handler instanceof LibraryLogs) {
        return;
      }
      root.removeHandler(handler);
    }
    root.addHandler(new LibraryLogs());
    root.setLevel(Level.INFO);
  }

  @Override
  public void publish(LogRecord record) {
    Log.Level level = level(record);
    if (!log.enabled(level)) {
      return;
    }
    String message = MESSAGE.format(record);
    Throwable thrown = record.getThrown();
    Object[] context =
        thrown == null
            ? new Object[] {"logger", record.getLoggerName()}
            : new Object[] {"logger", record.getLoggerName(), "error", thrown.toString()};
    switch (level) {
      case ERROR -> log.error(message, context);
      case WARN -> log.warn(message, context);
      case INFO -> log.info(message, context);
      case DEBUG -> log.debug(message, context);
    }
  }

  /** JUL's level in meshboot's terms; known harmless warnings are demoted. */
  static Log.Level level(LogRecord record) {
    int value = record.getLevel().intValue();
    String text = String.valueOf(record.getMessage());
    // gRPC asks every accepted connection for SO_KEEPALIVE, which a unix socket does not have.
    if (text.startsWith("Unknown channel option")) {
      return Log.Level.DEBUG;
    }
    if (value >= Level.SEVERE.intValue()) {
      return Log.Level.ERROR;
    }
    return value >= Level.WARNING.intValue() ? Log.Level.WARN : Log.Level.DEBUG;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
