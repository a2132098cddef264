package dev.meshboot.config;

/**
 * The value a variable has, and where it came from.
 *
 * @param variable the variable
 * @param value the text given, never blank
 * @param origin where it was found: an option, an env file, the environment, or the default
 */
public record Setting(Variable variable, String value, Origin origin) {

  /** Where a value was found, in order of precedence. */
  public enum Origin {
    OPTION,
    ENV_FILE,
    ENVIRONMENT,
    DEFAULT
  }

  /** How {@code --explain} and error messages name the origin. */
  public String describeOrigin() {
    return switch (origin) {
      case OPTION -> "option " + variable.option();
      case ENV_FILE -> "env file";
      case ENVIRONMENT -> "environment";
      case DEFAULT -> "default";
    };
  }

  /** " (from option --x)" for values not from the environment, so the user finds them. */
  String originSuffix() {
    return switch (origin) {
      case OPTION, ENV_FILE -> " (from " + describeOrigin() + ")";
      case ENVIRONMENT, DEFAULT -> "";
    };
  }
}
