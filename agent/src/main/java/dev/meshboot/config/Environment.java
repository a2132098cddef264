package dev.meshboot.config;

import java.util.Map;
import java.util.Optional;

/**
 * The variables as meshboot sees them: command-line options over an env file over the process
 * environment. Unset and blank are the same: the variable's default applies.
 */
public final class Environment {

  private final Map<String, String> options;
  private final Map<String, String> envFile;
  private final Map<String, String> process;

  private Environment(
      Map<String, String> options, Map<String, String> envFile, Map<String, String> process) {
    this.options = Map.copyOf(options);
    this.envFile = Map.copyOf(envFile);
    this.process = Map.copyOf(process);
  }

  /**
   * Layers the sources; each map is keyed by variable name.
   *
   * @param options values of command-line options
   * @param envFile values read from {@code --env-file}
   * @param process the process environment
   */
  public static Environment of(
      Map<String, String> options, Map<String, String> envFile, Map<String, String> process) {
    return new Environment(options, envFile, process);
  }

  /** Only the given variables, as from the process environment (tests, examples). */
  public static Environment of(Map<String, String> process) {
    return new Environment(Map.of(), Map.of(), process);
  }

  /** The value given for the variable, ignoring its default. */
  public Optional<Setting> given(Variable variable) {
    String name = variable.name();
    if (isSet(options.get(name))) {
      return Optional.of(new Setting(variable, options.get(name), Setting.Origin.OPTION));
    }
    if (isSet(envFile.get(name))) {
      return Optional.of(new Setting(variable, envFile.get(name), Setting.Origin.ENV_FILE));
    }
    if (isSet(process.get(name))) {
      return Optional.of(new Setting(variable, process.get(name), Setting.Origin.ENVIRONMENT));
    }
    return Optional.empty();
  }

  /** The value given, else the variable's literal default, else empty. */
  public Optional<Setting> setting(Variable variable) {
    Optional<Setting> given = given(variable);
    if (given.isPresent() || variable.defaultValue() == null) {
      return given;
    }
    return Optional.of(new Setting(variable, variable.defaultValue(), Setting.Origin.DEFAULT));
  }

  private static boolean isSet(@org.jspecify.annotations.Nullable String value) {
    return value != null && !value.isBlank();
  }
}
