package dev.meshboot.mesh.serve;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * One node's ADS traffic: its open streams, the responses pushed to them, Envoy's answers (ACK or
 * NACK, with the last NACK's error), and how many responses still wait for an answer.
 */
final class NodeStats {

  /** A response Envoy rejected: when, of which type, and Envoy's error detail. */
  record Nack(Instant at, String typeUrl, String error) {}

  final AtomicInteger streams = new AtomicInteger();
  final LongAdder pushes = new LongAdder();
  final LongAdder acks = new LongAdder();
  final LongAdder nacks = new LongAdder();

  /** Responses (one per stream and type at most) not answered yet. */
  final AtomicInteger pending = new AtomicInteger();

  private final AtomicReference<@Nullable Nack> lastNack = new AtomicReference<>();
  private final AtomicReference<@Nullable Instant> lastAck = new AtomicReference<>();

  void acked(Instant at) {
    acks.increment();
    lastAck.set(at);
  }

  void nacked(Nack nack) {
    nacks.increment();
    lastNack.set(nack);
  }

  @Nullable Nack lastNack() {
    return lastNack.get();
  }

  @Nullable Instant lastAck() {
    return lastAck.get();
  }
}
