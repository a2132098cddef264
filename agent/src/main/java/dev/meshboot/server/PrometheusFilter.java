package dev.meshboot.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code filter=metrics_extension}: keeps the metric families whose name starts with {@code
 * envoy_appmesh_}, strips that prefix and sorts them by name (contract §9). One pass over the text;
 * a family is its {@code # HELP}/{@code # TYPE} lines and the samples that follow.
 */
final class PrometheusFilter {

  static final String PREFIX = "envoy_appmesh_";

  private PrometheusFilter() {}

  static String metricsExtension(String page) {
    Map<String, StringBuilder> families = new TreeMap<>();
    @org.jspecify.annotations.Nullable StringBuilder current = null;
    @org.jspecify.annotations.Nullable String currentName = null;
    int start = 0;
    int length = page.length();
    while (start < length) {
      int end = page.indexOf('\n', start);
      if (end < 0) {
        end = length;
      }
      String line = page.substring(start, end);
      start = end + 1;
      if (line.isEmpty()) {
        continue;
      }
      String name = familyOf(line);
      if (name == null) {
        continue;
      }
      if (!name.equals(currentName) && !(currentName != null && isSampleOf(name, currentName))) {
        currentName = name;
        current =
            name.startsWith(PREFIX)
                ? families.computeIfAbsent(
                    name.substring(PREFIX.length()), k -> new StringBuilder())
                : null;
      }
      if (current != null) {
        current.append(strip(line)).append('\n');
      }
    }
    StringBuilder out = new StringBuilder();
    families.values().forEach(out::append);
    return out.toString();
  }

  /**
   * The family a line belongs to: the name in {@code # TYPE name ...}, or a sample's metric name.
   */
  private static @org.jspecify.annotations.Nullable String familyOf(String line) {
    if (line.startsWith("# ")) {
      String[] parts = line.split(" ", 4);
      return parts.length >= 3 && (parts[1].equals("TYPE") || parts[1].equals("HELP"))
          ? parts[2]
          : null;
    }
    int end = 0;
    while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
      end++;
    }
    return line.substring(0, end);
  }

  /**
   * Histogram and summary samples carry suffixes: {@code x_bucket}, {@code x_sum}, {@code x_count}.
   */
  private static boolean isSampleOf(String sample, String family) {
    return sample.startsWith(family)
        && List.of("_bucket", "_sum", "_count").contains(sample.substring(family.length()));
  }

  private static String strip(String line) {
    if (line.startsWith("# ")) {
      String[] parts = line.split(" ", 4);
      List<String> out = new ArrayList<>(List.of(parts));
      out.set(2, parts[2].substring(PREFIX.length()));
      return String.join(" ", out);
    }
    return line.substring(PREFIX.length());
  }
}
