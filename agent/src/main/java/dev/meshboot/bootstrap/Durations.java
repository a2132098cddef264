package dev.meshboot.bootstrap;

import java.time.Duration;

/** Durations in the protobuf JSON form Envoy reads: {@code 15s}, {@code 0.500s}. */
final class Durations {
  private Durations() {}

  /** Integer arithmetic only: BigDecimal's first use costs milliseconds of start-up. */
  static String text(Duration duration) {
    if (duration.toNanosPart() == 0) {
      return duration.toSeconds() + "s";
    }
    String nanos = Integer.toString(1_000_000_000 + duration.toNanosPart()).substring(1);
    int end = nanos.length();
    while (nanos.charAt(end - 1) == '0') {
      end--;
    }
    nanos = nanos.substring(0, end);
    return duration.toSeconds() + "." + nanos + "s";
  }
}
