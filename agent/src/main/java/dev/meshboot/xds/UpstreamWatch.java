package dev.meshboot.xds;

import dev.meshboot.log.Log;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * While streams are answered from the last-known-good cache, looks at the management endpoint with
 * a growing pause (gRPC's own reconnect backoff cut short) until it is reachable, then ends those
 * streams so that Envoy reconnects to live configuration. An endpoint that accepts connections but
 * keeps failing streams lengthens the first pause each round, so Envoy is not bounced every second.
 */
final class UpstreamWatch implements AutoCloseable {

  private static final Log log = Log.of(UpstreamWatch.class);

  private static final long FIRST_PAUSE_MILLIS = 500;
  private static final long MAX_PAUSE_MILLIS = 10_000;
  private static final long MAX_FIRST_PAUSE_MILLIS = 30_000;

  private final Supplier<ManagedChannel> channel;
  private final Executor executor;
  private final RelayStatus status;
  private final String upstreamName;
  private final Set<RelayedStream> fromCache = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean watching = new AtomicBoolean();
  private final AtomicInteger rounds = new AtomicInteger();
  private volatile boolean closed;

  UpstreamWatch(
      Supplier<ManagedChannel> channel,
      Executor executor,
      RelayStatus status,
      String upstreamName) {
    this.channel = channel;
    this.executor = executor;
    this.status = status;
    this.upstreamName = upstreamName;
  }

  /** {@code stream} is answered from the cache: end it when the endpoint is reachable. */
  void add(RelayedStream stream) {
    fromCache.add(stream);
    startWatching();
  }

  void remove(RelayedStream stream) {
    fromCache.remove(stream);
  }

  private void startWatching() {
    if (!fromCache.isEmpty() && !closed && watching.compareAndSet(false, true)) {
      executor.execute(this::watch);
    }
  }

  private void watch() {
    if (status.configSource() == RelayStatus.Source.LIVE) {
      rounds.set(0); // the last round ended in live configuration
    }
    long pause = Math.min(FIRST_PAUSE_MILLIS << Math.min(rounds.get(), 6), MAX_FIRST_PAUSE_MILLIS);
    try {
      while (!fromCache.isEmpty() && !closed) {
        Thread.sleep(pause);
        ConnectivityState state = channel.get().getState(true);
        if (state == ConnectivityState.READY) {
          log.info(
              "the management endpoint is reachable again: Envoy reconnects for live configuration",
              "upstream",
              upstreamName);
          rounds.incrementAndGet();
          List.copyOf(fromCache).forEach(RelayedStream::reconnect);
          break;
        }
        if (state == ConnectivityState.TRANSIENT_FAILURE) {
          channel.get().resetConnectBackoff();
        }
        pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } finally {
      watching.set(false);
    }
    startWatching(); // a stream came to the cache as this round ended
  }

  @Override
  public void close() {
    closed = true;
  }
}
