package dev.meshboot.cli;

/** A command line meshboot cannot run: unknown command or option, or a missing value. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String command;

  UsageException(String command, String message) {
    super(message);
    this.command = command;
  }

  /** The command whose help to point at. */
  String command() {
    return command;
  }
}
