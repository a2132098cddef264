package dev.meshboot.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads an env file in Docker's {@code --env-file} format: {@code NAME=value} per line, {@code #}
 * comments and blank lines ignored, the value taken literally (no quotes are removed, as Docker).
 */
public final class EnvFile {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private EnvFile() {}

  public static Map<String, String> read(Path file) {
    List<String> lines =
        InputFiles.read(file, "--env-file", InputFiles.CONFIG_LIMIT).lines().toList();
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String name = eq < 0 ? line : line.substring(0, eq).strip();
      if (eq < 0 || !NAME.matcher(name).matches()) {
        throw new ConfigException(
            "--env-file",
            "--env-file: "
                + file
                + " line "
                + (i + 1)
                + ": expected NAME=value but got a line starting \""
                + (eq < 0 ? "" : line.substring(0, Math.min(eq, 40)))
                + "\" (the value is not shown: it may be a secret)");
      }
      values.put(name, line.substring(eq + 1));
    }
    return values;
  }
}
