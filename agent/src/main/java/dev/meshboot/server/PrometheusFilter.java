package dev.meshboot.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code filter=metrics_extension}: keeps the metric families whose name starts with {@code
 * envoy_appmesh_}, strips that prefix and sorts them by name (contract §9). The page streams by;
 * only the kept families are held (App Mesh's metrics extension: a few dozen series), at most
 * {@link #MAX_KEPT} bytes of them. A family is its {@code # HELP}/{@code # TYPE} lines and the
 * samples that follow.
 */
final class PrometheusFilter {

  static final String PREFIX = "envoy_appmesh_";

  /** The most the kept families may take. */
  static final int MAX_KEPT = 8 << 20;

  private PrometheusFilter() {}

  /** A sink that passes the kept families, sorted, to {@code next} when the page ends. */
  static PrometheusLines.Sink metricsExtension(PrometheusLines.Sink next) {
    return new PrometheusLines.Sink() {
      private final Map<String, ByteArrayOutputStream> families = new TreeMap<>();
      private @org.jspecify.annotations.Nullable ByteArrayOutputStream current;
      private String family = "";
      private long kept;

      @Override
      public void line(byte[] bytes, int from, int to) throws IOException {
        boolean comment = PrometheusLines.startsWith(bytes, from, to, "# ");
        int nameStart = from;
        if (comment) {
          // "# TYPE name kind" or "# HELP name text"
          int second = PrometheusLines.indexOf(bytes, from + 2, to, (byte) ' ');
          nameStart = second == to ? to : second + 1;
        }
        int nameEnd = nameStart;
        while (nameEnd < to && bytes[nameEnd] != ' ' && bytes[nameEnd] != '{') {
          nameEnd++;
        }
        if (nameEnd == nameStart) {
          return;
        }
        if (!belongs(bytes, nameStart, nameEnd, family)) {
          family = PrometheusLines.ascii(bytes, nameStart, nameEnd);
          current =
              family.startsWith(PREFIX)
                  ? families.computeIfAbsent(
                      family.substring(PREFIX.length()), k -> new ByteArrayOutputStream())
                  : null;
        }
        if (current != null) {
          kept += to - from + 1;
          if (kept > MAX_KEPT) {
            throw new IOException(
                "the " + PREFIX + " families of Envoy's Prometheus page exceed 8 MiB");
          }
          if (comment) {
            current.write(bytes, from, nameStart - from);
          }
          int rest = nameStart + PREFIX.length();
          current.write(bytes, rest, to - rest);
          current.write('\n');
        }
      }

      @Override
      public void end() throws IOException {
        for (ByteArrayOutputStream lines : families.values()) {
          PrometheusLines.read(new java.io.ByteArrayInputStream(lines.toByteArray()), pass(next));
        }
        next.end();
      }
    };
  }

  /** {@code next} without its end: each family's lines go on, the page ends once. */
  private static PrometheusLines.Sink pass(PrometheusLines.Sink next) {
    return new PrometheusLines.Sink() {
      @Override
      public void line(byte[] bytes, int from, int to) throws IOException {
        next.line(bytes, from, to);
      }

      @Override
      public void end() {}
    };
  }

  /** Whether the name in {@code [from, to)} is {@code family} or one of its histogram samples. */
  private static boolean belongs(byte[] bytes, int from, int to, String family) {
    int length = to - from;
    if (family.isEmpty()
        || length < family.length()
        || !PrometheusLines.startsWith(bytes, from, to, family)) {
      return false;
    }
    int rest = length - family.length();
    int suffix = from + family.length();
    return rest == 0
        || (rest == 7 && PrometheusLines.startsWith(bytes, suffix, to, "_bucket"))
        || (rest == 4 && PrometheusLines.startsWith(bytes, suffix, to, "_sum"))
        || (rest == 6 && PrometheusLines.startsWith(bytes, suffix, to, "_count"));
  }
}
