package dev.meshboot.config;

/**
 * A variable, option or file that meshboot cannot use; the message names it, the offending value
 * (never a secret) and what was expected.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String subject;

  /** For a value that does not parse: {@code NAME: expected <what> but got "<value>"}. */
  public static ConfigException invalid(Setting setting, String expected) {
    return new ConfigException(
        setting.variable().name(),
        setting.variable().name()
            + ": expected "
            + expected
            + " but got "
            + (setting.variable().secret()
                ? "another value (not shown)"
                : "\"" + dev.meshboot.log.Log.withoutUserInfo(setting.value()) + "\"")
            + setting.originSuffix());
  }

  /** For any other problem with a variable, option or file; {@code subject} leads the message. */
  public ConfigException(String subject, String message) {
    super(dev.meshboot.log.Log.withoutUserInfo(message));
    this.subject = subject;
  }

  /** The variable, option or file the error is about. */
  public String subject() {
    return subject;
  }
}
