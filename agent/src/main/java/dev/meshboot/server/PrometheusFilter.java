package dev.meshboot.server;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code filter=metrics_extension}: keeps the metric families whose name starts with {@code
 * envoy_appmesh_}, strips that prefix and sorts them by name (contract §9). One pass over the text
 * that copies ranges of it, without a string per line; a family is its {@code # HELP}/{@code #
 * TYPE} lines and the samples that follow.
 */
public final class PrometheusFilter {

  static final String PREFIX = "envoy_appmesh_";

  private PrometheusFilter() {}

  public static String metricsExtension(String page) {
    Map<String, StringBuilder> families = new TreeMap<>();
    StringBuilder current = null;
    String family = "";
    int length = page.length();
    int start = 0;
    while (start < length) {
      int end = page.indexOf('\n', start);
      if (end < 0) {
        end = length;
      }
      if (end > start) {
        boolean comment = page.startsWith("# ", start);
        int nameStart = start;
        if (comment) {
          // "# TYPE name kind" or "# HELP name text"
          int second = page.indexOf(' ', start + 2);
          nameStart = second < 0 || second > end ? end : second + 1;
        }
        int nameEnd = nameStart;
        while (nameEnd < end && page.charAt(nameEnd) != ' ' && page.charAt(nameEnd) != '{') {
          nameEnd++;
        }
        if (nameEnd > nameStart && !belongs(page, nameStart, nameEnd, family)) {
          family = page.substring(nameStart, nameEnd);
          current =
              page.startsWith(PREFIX, nameStart)
                  ? families.computeIfAbsent(
                      family.substring(PREFIX.length()), k -> new StringBuilder())
                  : null;
        }
        if (current != null && nameEnd > nameStart) {
          if (comment) {
            current.append(page, start, nameStart);
          }
          current.append(page, nameStart + PREFIX.length(), end).append('\n');
        }
      }
      start = end + 1;
    }
    StringBuilder out = new StringBuilder();
    families.values().forEach(out::append);
    return out.toString();
  }

  /** Whether the name in {@code [from, to)} is {@code family} or one of its histogram samples. */
  private static boolean belongs(String page, int from, int to, String family) {
    int length = to - from;
    if (family.isEmpty()
        || length < family.length()
        || !page.regionMatches(from, family, 0, family.length())) {
      return false;
    }
    int rest = length - family.length();
    int suffix = from + family.length();
    return rest == 0
        || (rest == 7 && page.startsWith("_bucket", suffix))
        || (rest == 4 && page.startsWith("_sum", suffix))
        || (rest == 6 && page.startsWith("_count", suffix));
  }
}
