package dev.meshboot.config;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The variables as meshboot sees them: command-line options over an env file over the process
 * environment. Unset and blank are the same: the variable's default applies.
 */
public final class Environment {

  private final Map<String, String> options;
  private final Map<String, String> envFile;
  private final Map<String, String> process;

  /** The lenient variables whose fallback was announced: one warning each per command. */
  private final Set<String> fallbacksWarned = ConcurrentHashMap.newKeySet();

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

  /**
   * Checks every variable meshboot knows, used by this configuration or not, for control
   * characters: a newline or NUL in an environment value is always a mistake.
   */
  public void checkAll() {
    Variables.ALL.forEach(this::given);
  }

  /** The value given for the variable, ignoring its default. */
  public Optional<Setting> given(Variable variable) {
    Optional<Setting> given = find(variable);
    given.ifPresent(
        setting -> {
          if (setting
              .value()
              .chars()
              .anyMatch(c -> (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f))) {
            throw new ConfigException(
                variable.name(),
                variable.name()
                    + ": expected a value without control characters (newline, NUL, U+0085...) but"
                    + " got "
                    + (variable.secret()
                        ? "a value with one (not shown: it is a secret)"
                        : "\"" + setting.value().replaceAll("[\\p{Cntrl}\\x80-\\x9F]", "?") + "\"")
                    + setting.originSuffix());
          }
        });
    return given;
  }

  private Optional<Setting> find(Variable variable) {
    String name = variable.name();
    String option = options.get(name);
    if (option != null && !option.isBlank()) {
      return Optional.of(new Setting(variable, option, Setting.Origin.OPTION));
    }
    String fromFile = envFile.get(name);
    if (fromFile != null && !fromFile.isBlank()) {
      return Optional.of(new Setting(variable, fromFile, Setting.Origin.ENV_FILE));
    }
    String fromProcess = process.get(name);
    if (fromProcess != null && !fromProcess.isBlank()) {
      return Optional.of(new Setting(variable, fromProcess, Setting.Origin.ENVIRONMENT));
    }
    return Optional.empty();
  }

  /**
   * A variable of meshboot's own plumbing (not the contract's, never an option): from the process
   * environment only.
   */
  public Optional<String> internal(String name) {
    return Optional.ofNullable(process.get(name));
  }

  /** Whether this is the first time {@code variable} falls back (so that it warns once). */
  boolean firstFallback(Variable variable) {
    return fallbacksWarned.add(variable.name());
  }

  /** The lenient variables that fell back so far, comma separated (for a child meshboot). */
  public String fallbacksSoFar() {
    return String.join(",", new TreeSet<>(fallbacksWarned));
  }

  /** The value given, else the variable's literal default, else empty. */
  public Optional<Setting> setting(Variable variable) {
    Optional<Setting> given = given(variable);
    if (given.isPresent() || variable.defaultValue() == null) {
      return given;
    }
    return Optional.of(new Setting(variable, variable.defaultValue(), Setting.Origin.DEFAULT));
  }
}
