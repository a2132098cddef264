package dev.meshboot.server;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code delta}: the difference between Envoy's Prometheus page now and a snapshot (taken every
 * minute): counters and histogram buckets, sums and counts subtract; gauges stay as they are. A
 * series the snapshot does not have, or a counter that went down (Envoy restarted), is shown whole.
 */
public final class PrometheusDelta {

  private final Map<String, Double> values;
  private final Set<String> cumulative;

  private PrometheusDelta(Map<String, Double> values, Set<String> cumulative) {
    this.values = values;
    this.cumulative = cumulative;
  }

  /** A snapshot of a page. */
  public static PrometheusDelta snapshot(String page) {
    Map<String, Double> values = new HashMap<>();
    Set<String> cumulative = new HashSet<>();
    for (String line : page.split("\n", -1)) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ", -1);
        if (parts.length >= 4
            && (parts[3].equals("counter")
                || parts[3].equals("histogram")
                || parts[3].equals("summary"))) {
          cumulative.add(parts[2]);
        }
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        int space = line.lastIndexOf(' ');
        if (space > 0) {
          try {
            values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
          } catch (NumberFormatException e) {
            // not a sample
          }
        }
      }
    }
    return new PrometheusDelta(values, cumulative);
  }

  /** {@code page} with its cumulative series reduced by this snapshot's values. */
  public String apply(String page) {
    Set<String> cumulativeNow = snapshot(page).cumulative;
    StringBuilder out = new StringBuilder(page.length());
    for (String line : page.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      if (line.startsWith("#") || space <= 0) {
        out.append(line).append('\n');
        continue;
      }
      String series = line.substring(0, space);
      String family = family(series, cumulativeNow);
      Double before = values.get(series);
      double now;
      try {
        now = Double.parseDouble(line.substring(space + 1));
      } catch (NumberFormatException e) {
        out.append(line).append('\n');
        continue;
      }
      if (family == null || before == null || now < before) {
        out.append(line).append('\n');
      } else {
        out.append(series).append(' ').append(format(now - before)).append('\n');
      }
    }
    return out.toString();
  }

  /** The cumulative family a sample belongs to, or null for a gauge. */
  private static @org.jspecify.annotations.Nullable String family(
      String series, Set<String> cumulative) {
    int brace = series.indexOf('{');
    String name = brace < 0 ? series : series.substring(0, brace);
    if (cumulative.contains(name)) {
      return name;
    }
    for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
      if (name.endsWith(suffix)
          && cumulative.contains(name.substring(0, name.length() - suffix.length()))) {
        return name;
      }
    }
    return null;
  }

  private static String format(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }
}
