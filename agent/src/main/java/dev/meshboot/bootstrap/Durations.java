package dev.meshboot.bootstrap;

import java.math.BigDecimal;
import java.time.Duration;

/** Durations in the protobuf JSON form Envoy reads: {@code 15s}, {@code 0.500s}. */
final class Durations {
  private Durations() {}

  static String text(Duration duration) {
    BigDecimal seconds =
        BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
    return seconds.stripTrailingZeros().toPlainString() + "s";
  }
}
