package dev.meshboot.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what Envoy's admin interface said into {@link Health}, remembering when the management
 * connection went down. Pure: the poller feeds it, tests feed it tables.
 */
public final class HealthState {

  /** The stats the decision reads; {@link #STATS_FILTER} fetches exactly these. */
  static final String CONNECTED = "control_plane.connected_state";

  static final String CDS_SUCCESS = "cluster_manager.cds.update_success";
  static final String CDS_REJECTED = "cluster_manager.cds.update_rejected";
  static final String LDS_SUCCESS = "listener_manager.lds.update_success";
  static final String LDS_REJECTED = "listener_manager.lds.update_rejected";
  static final String CREATE_FAILURE = "listener_manager.listener_create_failure";

  public static final String STATS_FILTER =
      "^(control_plane\\.connected_state|cluster_manager\\.cds\\.update_(success|rejected)"
          + "|listener_manager\\.lds\\.update_(success|rejected)|listener_manager\\.listener_create_failure)$";

  private final Duration disconnectedTimeout;
  private Health current;
  private boolean listenersFromXds = true;
  private boolean clustersFromXds = true;

  /** Listener creation failures counted when the initial configuration was accepted. */
  private long createFailuresAtAcceptance;

  public HealthState(Duration disconnectedTimeout, Instant now) {
    this.disconnectedTimeout = disconnectedTimeout;
    this.current = Health.unknown(now);
  }

  /**
   * Which configuration Envoy gets over xDS, so which the initial configuration waits for: a static
   * bootstrap has none, and is ready once Envoy is LIVE (by default both are awaited).
   */
  public synchronized void expect(boolean listeners, boolean clusters) {
    this.listenersFromXds = listeners;
    this.clustersFromXds = clusters;
  }

  public synchronized Health current() {
    return current;
  }

  /** Envoy did not answer (or is not running). */
  public synchronized Health unreachable(Instant now, String why) {
    current =
        new Health(
            "UNREACHABLE",
            Optional.empty(),
            current.disconnectedSince(),
            current.initialConfig(),
            current.xdsCounters(),
            false,
            false,
            List.of("Envoy's admin interface does not answer: " + why),
            now);
    return current;
  }

  /** A new Envoy process: what the previous one had accepted no longer counts. */
  public synchronized void restarted(Instant now) {
    current = Health.unknown(now);
  }

  /**
   * Envoy answered.
   *
   * @param state the body of {@code /ready}
   * @param stats the values of {@link #STATS_FILTER}
   */
  public synchronized Health observe(String state, Map<String, Long> stats, Instant now) {
    List<String> problems = new ArrayList<>();
    boolean live = state.equals("LIVE");
    if (!live) {
      problems.add("Envoy is " + state + ", not LIVE");
    }
    Optional<Boolean> connected =
        Optional.ofNullable(stats.get(CONNECTED)).map(value -> value == 1);
    Optional<Instant> since = Optional.empty();
    if (connected.isPresent() && !connected.get()) {
      since = Optional.of(current.disconnectedSince().orElse(now));
      Duration down = Duration.between(since.get(), now);
      if (down.compareTo(disconnectedTimeout) > 0) {
        problems.add(
            "the management connection has been down for "
                + down.toSeconds()
                + "s (HC_DISCONNECTED_TIMEOUT_S="
                + disconnectedTimeout.toSeconds()
                + ")");
      }
    }
    Health.InitialConfig before = current.initialConfig();
    Health.InitialConfig initial = initialConfig(stats);
    if (initial == Health.InitialConfig.REJECTED) {
      problems.add(
          "Envoy rejected its initial configuration (LDS/CDS update_rejected or listener_create_failure)");
    }
    boolean healthy = problems.isEmpty();
    long createFailures = stats.getOrDefault(CREATE_FAILURE, 0L);
    if (initial == Health.InitialConfig.ACCEPTED && before != Health.InitialConfig.ACCEPTED) {
      createFailuresAtAcceptance = createFailures;
    } else if (initial == Health.InitialConfig.ACCEPTED
        && createFailures > createFailuresAtAcceptance) {
      // A listener that fails later (a port taken by another process, an update) is a problem to
      // report, not an unhealthy Envoy: it serves the rest, and replacing it would not help (as
      // App Mesh's agent checked this once, when Envoy first went LIVE).
      problems.add(
          (createFailures - createFailuresAtAcceptance)
              + " listener(s) failed to be created after the initial configuration (see Envoy's"
              + " log); Envoy serves the others");
    }
    boolean ready = live && initial == Health.InitialConfig.ACCEPTED && healthy;
    if (healthy && initial == Health.InitialConfig.PENDING) {
      problems.add("the initial configuration has not arrived yet");
    }
    current =
        new Health(
            state,
            connected,
            since,
            initial,
            java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(stats)),
            healthy,
            ready,
            List.copyOf(problems),
            now);
    return current;
  }

  private Health.InitialConfig initialConfig(Map<String, Long> stats) {
    if (current.initialConfig() == Health.InitialConfig.ACCEPTED) {
      return Health.InitialConfig.ACCEPTED; // judged once: what comes later is not "initial"
    }
    long cdsOk = stats.getOrDefault(CDS_SUCCESS, 0L);
    long ldsOk = stats.getOrDefault(LDS_SUCCESS, 0L);
    boolean rejectedBeforeSuccess =
        (cdsOk == 0 && stats.getOrDefault(CDS_REJECTED, 0L) > 0)
            || (ldsOk == 0 && stats.getOrDefault(LDS_REJECTED, 0L) > 0)
            || stats.getOrDefault(CREATE_FAILURE, 0L) > 0;
    if (rejectedBeforeSuccess) {
      return Health.InitialConfig.REJECTED;
    }
    boolean arrived = (cdsOk > 0 || !clustersFromXds) && (ldsOk > 0 || !listenersFromXds);
    return arrived ? Health.InitialConfig.ACCEPTED : Health.InitialConfig.PENDING;
  }
}
