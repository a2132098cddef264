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

  /** Where Envoy's configuration came from: nothing yet, the management server, or the cache. */
  enum Source {
    NONE,
    LIVE,
    CACHE;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  record Ack(String version, Instant at, Source source) {}

  record Nack(String typeUrl, String version, String detail, Instant at) {}

  record Failure(int code, String status, String description, String fix, Instant at) {

    /** Whether the endpoint was not reached (or did not answer in time), rather than refusing. */
    boolean unreachable() {
      return code == Status.Code.UNAVAILABLE.value()
          || code == Status.Code.DEADLINE_EXCEEDED.value();
    }

    /** Whether the endpoint refused the caller: its signature (16) or its permission (7). */
    boolean refusal() {
      return code == Status.Code.UNAUTHENTICATED.value()
          || code == Status.Code.PERMISSION_DENIED.value();
    }
  }

  private final Clock clock;
  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicLong streams = new AtomicLong();
  private final Map<String, Ack> acked = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> acks = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> nacks = new ConcurrentHashMap<>();
  private final AtomicInteger cacheStreams = new AtomicInteger();
  private final AtomicLong cacheResponses = new AtomicLong();
  private volatile Source configSource = Source.NONE;
  private volatile boolean closing;
  private volatile Optional<Instant> cacheSince = Optional.empty();
  private volatile Optional<Nack> lastNack = Optional.empty();
  private volatile Optional<Failure> lastFailure = Optional.empty();
  private volatile Instant lastOpened = Instant.EPOCH;

  RelayStatus(Clock clock) {
    this.clock = clock;
  }

  void upstreamOpened() {
    streams.incrementAndGet();
    connected.incrementAndGet();
    lastOpened = clock.instant();
  }

  /** When the latest upstream stream was opened: a failure before it is history. */
  Instant lastOpened() {
    return lastOpened;
  }

  void upstreamClosed(Status status) {
    connected.decrementAndGet();
    if (status.isOk() || status.getCode() == Status.Code.CANCELLED || closing) {
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

  /** Envoy acknowledged a response; {@code fromCache} when the relay served it from the cache. */
  void accepted(String typeUrl, String version, boolean fromCache) {
    Source source = fromCache ? Source.CACHE : Source.LIVE;
    acked.put(typeUrl, new Ack(version, clock.instant(), source));
    counts(acks, typeUrl).incrementAndGet();
    configSource = source;
  }

  /** Envoy rejected a response (a NACK) with {@code detail}. */
  void rejected(String typeUrl, String version, String detail) {
    lastNack = Optional.of(new Nack(typeUrl, version, detail, clock.instant()));
    counts(nacks, typeUrl).incrementAndGet();
    log.warn(
        "Envoy rejected a configuration (NACK)",
        "type",
        typeUrl,
        "version",
        version,
        "error",
        detail);
  }

  /** A stream started ({@code true}) or stopped serving from the last-known-good cache. */
  void servingFromCache(boolean serving) {
    if (serving) {
      cacheStreams.incrementAndGet();
      cacheSince = Optional.of(clock.instant());
    } else if (cacheStreams.decrementAndGet() == 0) {
      cacheSince = Optional.empty();
    }
  }

  /** The relay is closing: the streams it ends are not failures. */
  void closing() {
    closing = true;
  }

  /** A response went to Envoy from the cache. */
  void servedFromCache() {
    cacheResponses.incrementAndGet();
  }

  /** Where the configuration Envoy last acknowledged came from. */
  Source configSource() {
    return configSource;
  }

  private static AtomicLong counts(Map<String, AtomicLong> counts, String typeUrl) {
    return counts.computeIfAbsent(typeUrl, type -> new AtomicLong());
  }

  boolean connected() {
    return connected.get() > 0;
  }

  Optional<Failure> lastFailure() {
    return lastFailure;
  }

  /** For {@code /status}: plain values only. */
  Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("connected", connected());
    out.put("reconnects", Math.max(0, streams.get() - 1));
    out.put("configSource", configSource.label());
    out.put("servingFromCacheSince", cacheSince.map(Instant::toString).orElse(null));
    out.put("responsesServedFromCache", cacheResponses.get());
    Map<String, Object> types = new TreeMap<>();
    acked.forEach(
        (type, ack) ->
            types.put(
                type,
                Map.of(
                    "version",
                    ack.version(),
                    "at",
                    ack.at().toString(),
                    "source",
                    ack.source().label())));
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

  /** The relay's metrics in Prometheus text format, appended to {@code out}. */
  void prometheus(StringBuilder out) {
    out.append("# TYPE meshboot_xds_upstream_connected gauge\nmeshboot_xds_upstream_connected ")
        .append(connected() ? 1 : 0)
        .append('\n');
    out.append("# TYPE meshboot_xds_upstream_streams_total counter\n")
        .append("meshboot_xds_upstream_streams_total ")
        .append(streams.get())
        .append('\n');
    perType(out, "meshboot_xds_acks_total", acks);
    perType(out, "meshboot_xds_nacks_total", nacks);
    out.append("# TYPE meshboot_xds_config_source gauge\n");
    for (Source source : Source.values()) {
      out.append("meshboot_xds_config_source{source=\"")
          .append(source.label())
          .append("\"} ")
          .append(source == configSource ? 1 : 0)
          .append('\n');
    }
    out.append("# TYPE meshboot_xds_cache_responses_total counter\n")
        .append("meshboot_xds_cache_responses_total ")
        .append(cacheResponses.get())
        .append('\n');
  }

  private static void perType(StringBuilder out, String name, Map<String, AtomicLong> counts) {
    out.append("# TYPE ").append(name).append(" counter\n");
    new TreeMap<>(counts)
        .forEach(
            (type, count) ->
                out.append(name)
                    .append("{type_url=\"")
                    .append(type.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\"} ")
                    .append(count.get())
                    .append('\n'));
  }
}
