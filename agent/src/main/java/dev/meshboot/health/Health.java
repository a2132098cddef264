package dev.meshboot.health;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What meshboot knows about Envoy's health at one poll.
 *
 * @param envoyState LIVE, PRE_INITIALIZING, INITIALIZING, DRAINING or UNREACHABLE
 * @param managementConnected whether the xDS stream is up, when Envoy answered
 * @param disconnectedSince when the management connection was last seen down, if it is down
 * @param initialConfig whether the first listeners and clusters arrived and were accepted
 * @param xdsCounters the xDS counters the decision read (LDS/CDS {@code update_success} and {@code
 *     update_rejected}, {@code listener_create_failure}, {@code control_plane.connected_state})
 * @param healthy LIVE, configuration not rejected, management connection not down too long
 * @param ready LIVE and the initial configuration accepted
 * @param problems why it is not healthy or not ready, in words
 * @param at when this was observed
 */
public record Health(
    String envoyState,
    Optional<Boolean> managementConnected,
    Optional<Instant> disconnectedSince,
    InitialConfig initialConfig,
    java.util.SortedMap<String, Long> xdsCounters,
    boolean healthy,
    boolean ready,
    List<String> problems,
    Instant at) {

  /** The first configuration Envoy receives from the management server. */
  public enum InitialConfig {
    PENDING,
    ACCEPTED,
    REJECTED
  }

  /** Before the first poll. */
  public static Health unknown(Instant at) {
    return new Health(
        "UNREACHABLE",
        Optional.empty(),
        Optional.empty(),
        InitialConfig.PENDING,
        // Not Collections.emptySortedMap(): /status's Gson cannot reach that class's constructor
        // on JDK 17+ (java.util is not open) and answered 500 until Envoy's first poll.
        java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>()),
        false,
        false,
        List.of("not polled yet"),
        at);
  }
}
