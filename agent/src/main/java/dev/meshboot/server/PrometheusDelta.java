package dev.meshboot.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code delta}: the difference between Envoy's Prometheus page now and a snapshot (taken every
 * minute once {@code delta} is asked for): counters and histogram buckets, sums and counts
 * subtract; gauges stay as they are. A series the snapshot does not have, or a counter that went
 * down (Envoy restarted), is shown whole.
 *
 * <p>The snapshot keeps only the cumulative series, each as a 64-bit hash of its name and labels
 * and its value (16 bytes in an open-addressing table, not a string per series): 200,000 series
 * take 4 to 8 MB instead of the ~40 MB of a map of strings, on a 64 MB heap. Two series whose
 * hashes collide (about one chance in 10^9 for a page of 200,000) would subtract each other's
 * values. A page beyond {@link #MAX_SERIES} cumulative series keeps the first ones; the rest are
 * shown whole.
 */
public final class PrometheusDelta {

  /** The most cumulative series a snapshot keeps: 3/4 of 2^19 slots, a table of 8 MB. */
  static final int MAX_SERIES = 3 << 17;

  private final SeriesTable values;

  private PrometheusDelta(SeriesTable values) {
    this.values = values;
  }

  /**
   * A snapshot of the page {@code in} holds, read to its end, in a table sized at once for {@code
   * expected} series (the previous snapshot's: growing it would hold both sizes at once).
   */
  public static PrometheusDelta snapshot(InputStream in, int expected) throws IOException {
    SeriesTable values = new SeriesTable(expected);
    Families families = new Families();
    PrometheusLines.read(
        in,
        new PrometheusLines.Sink() {
          @Override
          public void line(byte[] bytes, int from, int to) {
            if (families.comment(bytes, from, to)) {
              return;
            }
            int space = PrometheusLines.lastIndexOf(bytes, from, to, (byte) ' ');
            if (space > from && families.cumulative(bytes, from, space)) {
              double value = number(bytes, space + 1, to);
              if (!Double.isNaN(value)) {
                values.put(hash(bytes, from, space), value);
              }
            }
          }

          @Override
          public void end() {}
        });
    return new PrometheusDelta(values);
  }

  /** How many series the snapshot keeps. */
  int series() {
    return values.size;
  }

  /** A sink that passes the page on to {@code next} with its cumulative series reduced. */
  PrometheusLines.Sink apply(PrometheusLines.Sink next) {
    Families families = new Families();
    StringBuilder text = new StringBuilder();
    return new PrometheusLines.Sink() {
      @Override
      public void line(byte[] bytes, int from, int to) throws IOException {
        int space = families.comment(bytes, from, to) ? -1 : lastSpace(bytes, from, to);
        if (space <= from || !families.cumulative(bytes, from, space)) {
          next.line(bytes, from, to);
          return;
        }
        double now = number(bytes, space + 1, to);
        double before = values.get(hash(bytes, from, space));
        if (Double.isNaN(now) || Double.isNaN(before) || now < before) {
          next.line(bytes, from, to);
          return;
        }
        text.setLength(0);
        text.append(PrometheusLines.ascii(bytes, from, space)).append(' ');
        text.append(format(now - before));
        byte[] line = text.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        next.line(line, 0, line.length);
      }

      @Override
      public void end() throws IOException {
        next.end();
      }
    };
  }

  private static int lastSpace(byte[] bytes, int from, int to) {
    return PrometheusLines.lastIndexOf(bytes, from, to, (byte) ' ');
  }

  /**
   * The families a page declares cumulative ({@code # TYPE name counter|histogram|summary}), as the
   * page goes by; a page's families number in the hundreds, so their names are kept.
   */
  private static final class Families {
    private final Set<String> cumulative = new HashSet<>();

    /** Whether the line is a comment; a {@code # TYPE} line is remembered. */
    boolean comment(byte[] bytes, int from, int to) {
      if (!PrometheusLines.startsWith(bytes, from, to, "#")) {
        return false;
      }
      if (PrometheusLines.startsWith(bytes, from, to, "# TYPE ")) {
        String[] parts = PrometheusLines.ascii(bytes, from, to).split(" ", -1);
        if (parts.length >= 4
            && (parts[3].equals("counter")
                || parts[3].equals("histogram")
                || parts[3].equals("summary"))) {
          cumulative.add(parts[2]);
        }
      }
      return true;
    }

    /** Whether the sample {@code bytes[from, to)} (name and labels) belongs to such a family. */
    boolean cumulative(byte[] bytes, int from, int to) {
      int nameEnd = PrometheusLines.indexOf(bytes, from, to, (byte) '{');
      String name = PrometheusLines.ascii(bytes, from, nameEnd);
      if (cumulative.contains(name)) {
        return true;
      }
      for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
        if (name.endsWith(suffix)
            && cumulative.contains(name.substring(0, name.length() - suffix.length()))) {
          return true;
        }
      }
      return false;
    }
  }

  /** The sample value in {@code bytes[from, to)}, or NaN when it is none. */
  private static double number(byte[] bytes, int from, int to) {
    try {
      return Double.parseDouble(PrometheusLines.ascii(bytes, from, to));
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** FNV-1a over the bytes, then MurmurHash3's finalizer: 64 well-mixed bits, never 0. */
  static long hash(byte[] bytes, int from, int to) {
    long h = 0xcbf29ce484222325L;
    for (int i = from; i < to; i++) {
      h = (h ^ (bytes[i] & 0xff)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == 0 ? 1 : h;
  }

  private static String format(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }

  /** Hash → value, open addressing with linear probing; 0 marks an empty slot. */
  private static final class SeriesTable {
    private long[] keys;
    private double[] values;
    private int size;

    SeriesTable(int expected) {
      int slots = 1024;
      while (slots < (1 << 19) && (long) Math.min(expected, MAX_SERIES) * 4 > slots * 3L) {
        slots *= 2;
      }
      keys = new long[slots];
      values = new double[slots];
    }

    void put(long key, double value) {
      if (size >= MAX_SERIES) {
        return;
      }
      if ((size + 1) * 4 > keys.length * 3) {
        grow();
      }
      int slot = slot(key, keys.length);
      while (keys[slot] != 0 && keys[slot] != key) {
        slot = (slot + 1) & (keys.length - 1);
      }
      if (keys[slot] == 0) {
        size++;
      }
      keys[slot] = key;
      values[slot] = value;
    }

    /** The value, or NaN when the table does not have the key. */
    double get(long key) {
      int slot = slot(key, keys.length);
      while (keys[slot] != 0) {
        if (keys[slot] == key) {
          return values[slot];
        }
        slot = (slot + 1) & (keys.length - 1);
      }
      return Double.NaN;
    }

    private void grow() {
      long[] oldKeys = keys;
      double[] oldValues = values;
      keys = new long[oldKeys.length * 2];
      values = new double[oldKeys.length * 2];
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != 0) {
          int slot = slot(oldKeys[i], keys.length);
          while (keys[slot] != 0) {
            slot = (slot + 1) & (keys.length - 1);
          }
          keys[slot] = oldKeys[i];
          values[slot] = oldValues[i];
        }
      }
    }

    private static int slot(long key, int length) {
      return (int) (key ^ (key >>> 32)) & (length - 1);
    }
  }
}
