package dev.meshboot.xds;

import dev.meshboot.log.Log;
import io.grpc.Status;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the relay knows of its streams, for {@code /status} and metrics: whether an upstream stream
 * is connected, how often it reconnected, per type URL the last version Envoy acknowledged and
 * when, the last rejection (NACK) with Envoy's error, and the last upstream failure with its fix.
 */
final class RelayStatus {

  private static final Log log = Log.of(RelayStatus.class);

  /** Responses awaiting Envoy's answer, by nonce; bounded in case Envoy never answers. */
  private static final int MAX_PENDING = 1024;

  record Ack(String version, Instant at) {}

  record Nack(String typeUrl, String version, String detail, Instant at) {}

  record Failure(int code, String status, String description, String fix, Instant at) {}

  private final Clock clock;
  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicLong streams = new AtomicLong();
  private final Map<String, Wire.Response> pending = new ConcurrentHashMap<>();
  private final Map<String, Ack> acked = new ConcurrentHashMap<>();
  private volatile Optional<Nack> lastNack = Optional.empty();
  private volatile Optional<Failure> lastFailure = Optional.empty();

  RelayStatus(Clock clock) {
    this.clock = clock;
  }

  void upstreamOpened() {
    streams.incrementAndGet();
    connected.incrementAndGet();
  }

  void upstreamClosed(Status status) {
    connected.decrementAndGet();
    if (status.isOk() || status.getCode() == Status.Code.CANCELLED) {
      return;
    }
    String fix = fix(status.getCode());
    lastFailure =
        Optional.of(
            new Failure(
                status.getCode().value(),
                status.getCode().name(),
                String.valueOf(status.getDescription()),
                fix,
                clock.instant()));
    log.warn(
        "xDS upstream stream failed",
        "status",
        status.getCode().value() + " " + status.getCode(),
        "description",
        status.getDescription(),
        "fix",
        fix);
  }

  /** What to do about an upstream status, in words; empty when there is nothing to say. */
  static String fix(Status.Code code) {
    return switch (code) {
      case UNAUTHENTICATED ->
          "the signature was refused: credentials missing, expired or invalid, or the wrong region"
              + " or signing name (AWS_REGION, APPMESH_SIGNING_NAME)";
      case PERMISSION_DENIED ->
          "the identity lacks IAM permission appmesh:StreamAggregatedResources on this node's ARN"
              + " (APPMESH_RESOURCE_ARN)";
      case UNAVAILABLE -> "the management endpoint cannot be reached; Envoy retries";
      default -> "";
    };
  }

  void response(Wire.Response response) {
    if (pending.size() >= MAX_PENDING) {
      pending.clear();
    }
    pending.put(response.nonce(), response);
  }

  void request(Wire.Request request) {
    if (request.nonce().isEmpty()) {
      return; // a subscription, not an answer to a response
    }
    Wire.Response answered = pending.remove(request.nonce());
    String type = answered != null ? answered.typeUrl() : request.typeUrl();
    Instant now = clock.instant();
    if (request.error().isPresent()) {
      String version = answered != null ? answered.version() : "";
      lastNack = Optional.of(new Nack(type, version, request.error().get(), now));
      log.warn(
          "Envoy rejected a configuration (NACK)",
          "type",
          type,
          "version",
          version,
          "error",
          request.error().get());
    } else {
      acked.put(type, new Ack(answered != null ? answered.version() : request.version(), now));
    }
  }

  boolean connected() {
    return connected.get() > 0;
  }

  Optional<Nack> lastNack() {
    return lastNack;
  }

  /** For {@code /status}: plain values only. */
  Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("connected", connected());
    out.put("reconnects", Math.max(0, streams.get() - 1));
    Map<String, Object> types = new TreeMap<>();
    acked.forEach(
        (type, ack) ->
            types.put(type, Map.of("version", ack.version(), "at", ack.at().toString())));
    out.put("acked", types);
    out.put(
        "lastNack",
        lastNack
            .map(
                nack ->
                    (Object)
                        Map.of(
                            "type",
                            nack.typeUrl(),
                            "version",
                            nack.version(),
                            "detail",
                            nack.detail(),
                            "at",
                            nack.at().toString()))
            .orElse(null));
    out.put(
        "lastUpstreamFailure",
        lastFailure
            .map(
                failure ->
                    (Object)
                        Map.of(
                            "code",
                            failure.code(),
                            "status",
                            failure.status(),
                            "description",
                            failure.description(),
                            "fix",
                            failure.fix(),
                            "at",
                            failure.at().toString()))
            .orElse(null));
    return out;
  }
}
