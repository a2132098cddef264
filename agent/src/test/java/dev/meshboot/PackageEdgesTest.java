package dev.meshboot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package table in docs/ARCHITECTURE.md is the code's: every reference from one meshboot
 * package to another (an import or a fully qualified name) is a listed edge, and every listed edge
 * is used.
 */
class PackageEdgesTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/meshboot");
  private static final Path ARCHITECTURE = Path.of("../docs/ARCHITECTURE.md");

  /** {@code | `name` | responsibility | `a`, `b` |} (or — for none). */
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z]+)` \\|.*\\| ([^|]+) \\|$");

  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.meshboot\\.([a-z]+)\\.");

  @Test
  void theTableListsExactlyTheEdgesTheCodeHas() throws IOException {
    Map<String, Set<String>> declared = declared();
    Map<String, Set<String>> actual = actual();
    assertThat(declared.keySet()).as("packages in the table").isEqualTo(actual.keySet());
    for (String name : actual.keySet()) {
      assertThat(actual.get(name))
          .as("what %s uses (docs/ARCHITECTURE.md lists %s)", name, declared.get(name))
          .isEqualTo(declared.get(name));
    }
  }

  @Test
  void theScanSeesImportsAndQualifiedNames() {
    assertThat(
            references(
                """
                package dev.meshboot.a;
                import dev.meshboot.log.Log;
                /** {@link dev.meshboot.xds.XdsRelay} */
                class X { dev.meshboot.io.Transport t; String s = "dev.meshboot.cli."; }
                """))
        .containsExactly("io", "log");
  }

  private static Map<String, Set<String>> declared() throws IOException {
    Map<String, Set<String>> table = new TreeMap<>();
    for (String line : Files.readAllLines(ARCHITECTURE)) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        Set<String> uses = new TreeSet<>();
        Matcher name = Pattern.compile("`([a-z]+)`").matcher(row.group(2));
        while (name.find()) {
          uses.add(name.group(1));
        }
        table.put(row.group(1), uses);
      }
    }
    return table;
  }

  private static Map<String, Set<String>> actual() throws IOException {
    Map<String, Set<String>> edges = new TreeMap<>();
    try (Stream<Path> packages = Files.list(SOURCES)) {
      for (Path directory : packages.filter(Files::isDirectory).toList()) {
        String name = directory.getFileName().toString();
        Set<String> uses = new TreeSet<>();
        try (Stream<Path> files = Files.walk(directory)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
            uses.addAll(references(Files.readString(file)));
          }
        }
        uses.remove(name);
        edges.put(name, uses);
      }
    }
    return edges;
  }

  /** The meshboot packages a source file refers to, outside string literals and comments. */
  static Set<String> references(String source) {
    Set<String> found = new TreeSet<>();
    Matcher reference = REFERENCE.matcher(code(source));
    while (reference.find()) {
      found.add(reference.group(1));
    }
    found.remove(packageOf(source));
    return found;
  }

  private static String packageOf(String source) {
    Matcher declaration = Pattern.compile("package dev\\.meshboot\\.([a-z]+)").matcher(source);
    return declaration.find() ? declaration.group(1) : "";
  }

  /** {@code source} with string literals and comments blanked (Javadoc links are no edge). */
  private static String code(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    while (i < source.length()) {
      if (source.startsWith("//", i)) {
        int end = source.indexOf('\n', i);
        i = end < 0 ? source.length() : end;
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        i = end < 0 ? source.length() : end + 2;
        out.append(' ');
      } else if (source.startsWith("\"\"\"", i)) {
        int end = source.indexOf("\"\"\"", i + 3);
        i = end < 0 ? source.length() : end + 3;
        out.append("\"\"");
      } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
        char quote = source.charAt(i);
        i++;
        while (i < source.length() && source.charAt(i) != quote) {
          i += source.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
        out.append(quote).append(quote);
      } else {
        out.append(source.charAt(i));
        i++;
      }
    }
    return out.toString();
  }
}
