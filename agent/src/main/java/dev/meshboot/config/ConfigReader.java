package dev.meshboot.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one parsing regime for every variable: unset or blank means the default, anything else must
 * parse or the reader throws a {@link ConfigException} naming the variable, the value and what was
 * expected. Nothing is silently replaced by a default.
 */
public final class ConfigReader {

  private static final Map<String, Boolean> BOOLEANS =
      Map.of("1", true, "true", true, "t", true, "0", false, "false", false, "f", false);
  private static final Pattern DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private final Environment environment;

  public ConfigReader(Environment environment) {
    this.environment = environment;
  }

  public Environment environment() {
    return environment;
  }

  /** The text value, or the variable's default; a variable with neither must be set. */
  public String string(Variable variable) {
    return environment
        .setting(variable)
        .map(Setting::value)
        .orElseThrow(() -> new ConfigException(variable.name(), variable.name() + " must be set"));
  }

  public Optional<String> optionalString(Variable variable) {
    return environment.setting(variable).map(Setting::value);
  }

  /** 1/0, true/false or t/f in any case. */
  public boolean bool(Variable variable) {
    return optionalBool(variable)
        .orElseThrow(() -> new IllegalStateException(variable.name() + " has no default"));
  }

  public Optional<Boolean> optionalBool(Variable variable) {
    return environment
        .setting(variable)
        .map(
            setting -> {
              Boolean value = BOOLEANS.get(setting.value().trim().toLowerCase(Locale.ROOT));
              if (value == null) {
                throw ConfigException.invalid(setting, "a boolean (true/false, 1/0, t/f)");
              }
              return value;
            });
  }

  /** An integer in {@code [min, max]}. */
  public OptionalInt integer(Variable variable, int min, int max) {
    Optional<Setting> setting = environment.setting(variable);
    if (setting.isEmpty()) {
      return OptionalInt.empty();
    }
    String expected =
        max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer " + min + "-" + max;
    try {
      int value = Integer.parseInt(setting.get().value().trim());
      if (value < min || value > max) {
        throw ConfigException.invalid(setting.get(), expected);
      }
      return OptionalInt.of(value);
    } catch (NumberFormatException e) {
      throw ConfigException.invalid(setting.get(), expected);
    }
  }

  /** A TCP or UDP port 1-65535; the variable must have a default. */
  public int port(Variable variable) {
    Setting setting = environment.setting(variable).orElseThrow();
    try {
      int value = Integer.parseInt(setting.value().trim());
      if (value >= 1 && value <= 65535) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below with the value
    }
    throw ConfigException.invalid(setting, "a port 1-65535");
  }

  /**
   * A positive duration written as a sequence of numbers with units, as Go's time.ParseDuration
   * reads them ({@code 15s}, {@code 5000ms}, {@code 1m30s}); Envoy needs at least 1 ms.
   */
  public Optional<Duration> duration(Variable variable) {
    return environment.setting(variable).map(ConfigReader::parseDuration);
  }

  private static Duration parseDuration(Setting setting) {
    String text = setting.value().trim();
    String expected = "a duration such as 15s, 5000ms or 1m30s";
    Matcher part = DURATION_PART.matcher(text);
    long nanos = 0;
    int end = 0;
    while (part.find() && part.start() == end) {
      double amount = Double.parseDouble(part.group(1));
      long unit =
          switch (part.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      nanos += (long) (amount * unit);
      end = part.end();
    }
    if (end == 0 || end != text.length()) {
      throw ConfigException.invalid(setting, expected);
    }
    if (nanos < 1_000_000L) {
      throw ConfigException.invalid(setting, "a duration of at least 1ms");
    }
    return Duration.ofNanos(nanos);
  }

  /** One of the given words, compared without case. */
  public <T> T choice(Variable variable, Map<String, T> choices) {
    Setting setting = environment.setting(variable).orElseThrow();
    T value = choices.get(setting.value().trim().toLowerCase(Locale.ROOT));
    if (value == null) {
      throw ConfigException.invalid(
          setting, "one of " + String.join(", ", choices.keySet().stream().sorted().toList()));
    }
    return value;
  }

  /** A file-system path; whether it must exist is up to the caller. */
  public Optional<Path> path(Variable variable) {
    return environment
        .setting(variable)
        .map(
            setting -> {
              try {
                return Path.of(setting.value().trim());
              } catch (InvalidPathException e) {
                throw ConfigException.invalid(setting, "a file path");
              }
            });
  }
}
