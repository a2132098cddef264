package dev.meshboot.server;

/** A token bucket shared by every endpoint: {@code rate} per second, bursts of {@code burst}. */
final class RateLimit {

  private final double rate;
  private final double burst;
  private double tokens;
  private long last;

  RateLimit(double rate, double burst, long nowNanos) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes a token if there is one. */
  synchronized boolean tryAcquire(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - last) / 1e9 * rate);
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
