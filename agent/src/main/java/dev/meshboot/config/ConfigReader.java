package dev.meshboot.config;

import dev.meshboot.log.Log;
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
 * expected. Nothing is silently replaced by a default: a lenient variable (one whose unusable
 * values App Mesh's agent replaced while the sidecar started, {@link Variable.Fallback}) gets the
 * same replacement with one warning naming the variable, the value given and the value used.
 */
public final class ConfigReader {

  private static final Log log = Log.of(ConfigReader.class);

  /**
   * Internal: the lenient variables a parent {@code meshboot run} already warned about, comma
   * separated, so that its renderer does not warn again.
   */
  public static final String WARNED = "MESHBOOT_FALLBACKS_WARNED";

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
    Optional<Setting> setting = environment.setting(variable);
    if (setting.isEmpty()) {
      return Optional.empty();
    }
    String expected = "a boolean (true/false, 1/0, t/f)";
    Boolean value = BOOLEANS.get(setting.get().value().trim().toLowerCase(Locale.ROOT));
    if (value != null) {
      return Optional.of(value);
    }
    return fallBack(setting.get(), expected, false)
        .map(
            used -> {
              Boolean parsed = BOOLEANS.get(used.value().trim().toLowerCase(Locale.ROOT));
              if (parsed == null) {
                throw ConfigException.invalid(used, expected);
              }
              return parsed;
            });
  }

  /** An integer in {@code [min, max]}. */
  public OptionalInt integer(Variable variable, int min, int max) {
    String expected =
        max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer " + min + "-" + max;
    return integer(variable, expected, min, max);
  }

  private OptionalInt integer(Variable variable, String expected, int min, int max) {
    Optional<Setting> setting = environment.setting(variable);
    if (setting.isEmpty()) {
      return OptionalInt.empty();
    }
    Optional<Setting> used;
    try {
      int value = Integer.parseInt(setting.get().value().trim());
      if (value >= min && value <= max) {
        return OptionalInt.of(value);
      }
      used = fallBack(setting.get(), expected, value > max, true);
    } catch (NumberFormatException e) {
      used = fallBack(setting.get(), expected, false);
    }
    if (used.isEmpty()) {
      return OptionalInt.empty();
    }
    try {
      int value = Integer.parseInt(used.get().value().trim());
      if (value >= min && value <= max) {
        return OptionalInt.of(value);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ConfigException.invalid(used.get(), expected);
  }

  /** A TCP or UDP port 1-65535, empty when the variable is unset. */
  public OptionalInt optionalPort(Variable variable) {
    return integer(variable, "a port 1-65535", 1, 65535);
  }

  /** A TCP or UDP port 1-65535; the variable must have a default. */
  public int port(Variable variable) {
    return integer(variable, "a port 1-65535", 1, 65535).orElseThrow();
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
    if (value != null) {
      return value;
    }
    String expected = "one of " + String.join(", ", choices.keySet().stream().sorted().toList());
    Setting used = fallBack(setting, expected, false).orElseThrow();
    T fallback = choices.get(used.value().trim().toLowerCase(Locale.ROOT));
    if (fallback == null) {
      throw ConfigException.invalid(used, expected);
    }
    return fallback;
  }

  /**
   * The longest unix socket path Envoy and the kernel take: {@code sun_path} holds 108 bytes with
   * the terminating NUL (Envoy: "exceeds maximum UNIX domain socket path size of 108").
   */
  static final int MAX_SOCKET_PATH = 107;

  /** A unix socket's path, at most {@link #MAX_SOCKET_PATH} bytes, as Envoy will check it. */
  public Optional<Path> socketPath(Variable variable) {
    Optional<Path> path = path(variable);
    path.ifPresent(
        socket -> {
          int bytes = socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
          if (bytes > MAX_SOCKET_PATH) {
            throw ConfigException.invalid(
                environment.setting(variable).orElseThrow(),
                "a unix socket path of at most "
                    + MAX_SOCKET_PATH
                    + " bytes (it has "
                    + bytes
                    + ")");
          }
        });
    return path;
  }

  /** An absolute path (a directory meshboot makes: never relative to where it happens to run). */
  public Optional<Path> absolutePath(Variable variable) {
    Optional<Path> path = path(variable);
    if (path.isPresent() && !path.get().isAbsolute()) {
      throw ConfigException.invalid(
          environment.setting(variable).orElseThrow(), "an absolute path");
    }
    return path;
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

  /**
   * Says, once per command (and not again in the renderer of a {@code meshboot run} that said it),
   * that {@code variable}'s value was replaced as App Mesh's agent replaced it.
   *
   * @param given the value given, quoted, with where it came from
   * @param used the value used instead
   */
  void replaced(Variable variable, String given, String expected, String used) {
    boolean parentWarned =
        java.util.Arrays.asList(environment.internal(WARNED).orElse("").split(","))
            .contains(variable.name());
    if (environment.firstFallback(variable) && !parentWarned) {
      log.warn(
          variable.name()
              + ": expected "
              + expected
              + " but got "
              + given
              + "; using "
              + used
              + " instead, as App Mesh's agent did",
          "variable",
          variable.name());
    }
  }

  private Optional<Setting> fallBack(Setting given, String expected, boolean aboveMax) {
    return fallBack(given, expected, aboveMax, false);
  }

  /**
   * What to use instead of a value that does not parse (or is out of range, {@code outOfRange}):
   * for a lenient variable its fallback (empty: as if unset), with one warning; else the error.
   */
  private Optional<Setting> fallBack(
      Setting given, String expected, boolean aboveMax, boolean outOfRange) {
    Variable variable = given.variable();
    Variable.Fallback fallback = variable.fallback();
    if (fallback == null || !(outOfRange || fallback.unparsable())) {
      throw ConfigException.invalid(given, expected);
    }
    String text = aboveMax && fallback.aboveMax() != null ? fallback.aboveMax() : fallback.value();
    Optional<Setting> used =
        text != null
            ? Optional.of(new Setting(variable, text, Setting.Origin.DEFAULT))
            : Optional.ofNullable(variable.defaultValue())
                .map(value -> new Setting(variable, value, Setting.Origin.DEFAULT));
    replaced(
        variable,
        "\"" + given.value() + "\"" + given.originSuffix(),
        expected,
        used.map(Setting::value).orElse(variable.defaultText()));
    return used;
  }
}
