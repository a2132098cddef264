package dev.meshboot.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A systemd unit file's settings as systemd reads them for what the EC2 tests run: sections of
 * {@code Key=Value} lines (comments and blank lines skipped, a key given twice keeps both values in
 * order), and the few specifiers the kit's units use. Which settings are valid is {@code
 * systemd-analyze verify}'s business, not this class's.
 */
final class SystemdUnit {

  private final Map<String, List<String>> settings;

  private SystemdUnit(Map<String, List<String>> settings) {
    this.settings = settings;
  }

  static SystemdUnit parse(Path file) throws IOException {
    Map<String, List<String>> settings = new LinkedHashMap<>();
    String section = "";
    for (String raw : Files.readAllLines(file)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1);
        continue;
      }
      int equals = line.indexOf('=');
      if (equals < 0 || line.endsWith("\\")) {
        throw new IllegalArgumentException(file + ": not a plain Key=Value line: " + raw);
      }
      settings
          .computeIfAbsent(
              section + "." + line.substring(0, equals).strip(), k -> new ArrayList<>())
          .add(line.substring(equals + 1).strip());
    }
    return new SystemdUnit(settings);
  }

  /** Every value of {@code Section.Key}, in order, with the specifiers resolved. */
  List<String> all(String key) {
    return settings.getOrDefault(key, List.of()).stream().map(SystemdUnit::specifiers).toList();
  }

  /** The one value of {@code Section.Key}; fails if it is missing or given twice. */
  String one(String key) {
    List<String> values = all(key);
    if (values.size() != 1) {
      throw new AssertionError("expected one " + key + " but found " + values);
    }
    return values.getFirst();
  }

  /**
   * A command line ({@code ExecStart=} and the like) as systemd splits it: the kit's commands hold
   * no quotes, so white space separates the words. A leading {@code -} or {@code @} prefix is not
   * expected either.
   */
  static List<String> words(String command) {
    if (command.matches("^[-@:+!].*") || command.contains("\"") || command.contains("'")) {
      throw new AssertionError("a command with prefixes or quotes: " + command);
    }
    return List.of(command.split("\\s+", -1));
  }

  /** The system manager's specifiers the kit uses: %t (/run), %S, %C, %% . */
  private static String specifiers(String value) {
    return value
        .replace("%t", "/run")
        .replace("%S", "/var/lib")
        .replace("%C", "/var/cache")
        .replace("%%", "%");
  }
}
