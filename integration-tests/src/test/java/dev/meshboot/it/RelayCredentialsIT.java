package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.meshboot.aws.FakeContainerCredentials;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short-lived credentials under a live relay: meshboot takes them from a container credentials
 * endpoint (as on ECS) that hands out a new key at every call, the upstream accepts each key only
 * until its expiry and closes its connections every few seconds (as App Mesh closes old ones), so
 * every new stream must be signed with a fresh key while Envoy keeps its configuration.
 */
class RelayCredentialsIT {

  /**
   * Shorter than meshboot's one-minute refresh margin: each key is due for refresh when it arrives,
   * and the SDK's cache keeps it one second at most. Longer than meshboot's start on a busy
   * machine, so that credentials that were never refreshed fail while Envoy is watched, not before.
   */
  static final Duration KEY_LIFETIME = Duration.ofSeconds(8);

  /** How old the upstream lets a connection grow before it closes it and its stream. */
  static final Duration CONNECTION_AGE = Duration.ofSeconds(3);

  /** How long Envoy is watched while keys come and go. */
  static final Duration WATCH = Duration.ofSeconds(12);

  private RelayRun meshboot;
  private SigV4Upstream upstream;
  private FakeContainerCredentials credentials;

  @AfterEach
  void stop() {
    if (meshboot != null) {
      meshboot.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (credentials != null) {
      credentials.close();
    }
  }

  /**
   * The credentials are built beside the relay's start (issue #15), and still checked before Envoy
   * starts: without any source the run ends with exit 3 naming what to set, and Envoy never runs.
   */
  @Test
  void withoutACredentialsSourceTheRunEndsBeforeEnvoyStarts(@TempDir Path tmp) throws Exception {
    upstream = SigV4Upstream.create(tmp, ControlPlaneIT.snapshot()).start();
    meshboot = RelayRun.start(tmp, upstream.relayEnv(tmp)); // no keys, no instance metadata

    assertThat(meshboot.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String log = meshboot.output();
    assertThat(meshboot.process.exitValue()).as(log).isEqualTo(3);
    assertThat(log).contains("No AWS credentials source").doesNotContain("starting envoy");
    assertThat(upstream.acceptedKeys()).isEmpty();
  }

  @Test
  void expiringKeysAreReplacedUnderALiveStreamWithoutLosingConfiguration(@TempDir Path tmp)
      throws Exception {
    Snapshot first = ControlPlaneIT.snapshot();
    upstream = SigV4Upstream.create(tmp, first).closingConnectionsAt(CONNECTION_AGE).start();
    List<FakeContainerCredentials.Issued> issued = new CopyOnWriteArrayList<>();
    credentials =
        new FakeContainerCredentials("pod-identity-token")
            .lifetime(KEY_LIFETIME)
            .onIssue(
                key -> {
                  issued.add(key);
                  upstream.accept(key.key(), key.expiry());
                });
    Map<String, String> env = upstream.relayEnv(tmp);
    env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", credentials.url());
    env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", "pod-identity-token");
    meshboot = RelayRun.start(tmp, env);
    meshboot.waitConfigured();

    List<String> lapses = new ArrayList<>();
    Instant end = Instant.now().plus(WATCH);
    while (Instant.now().isBefore(end)) {
      if (!meshboot.configured()) {
        lapses.add(Instant.now() + " " + meshboot.envoy("/ready").strip());
      }
      Thread.sleep(100);
    }

    assertThat(lapses).as("moments Envoy was not LIVE with its cluster and listener").isEmpty();
    assertThat(upstream.refusals()).as("streams the upstream refused").isEmpty();
    List<String> keys = upstream.acceptedKeys();
    assertThat(new HashSet<>(keys))
        .as("keys of the accepted streams " + keys)
        .hasSizeGreaterThan(2);
    assertThat(keys).as("one stream per connection age").hasSizeGreaterThan(3);
    JsonObject relay = meshboot.relay();
    assertThat(relay.get("reconnects").getAsLong()).isGreaterThan(2);
    assertThat(Instant.parse(relay.getAsJsonObject("credentials").get("expiry").getAsString()))
        .as("/status shows the expiry of the key in use, not the first one's")
        .isAfter(issued.getFirst().expiry());
    if (!relay.get("lastUpstreamFailure").isJsonNull()) {
      assertThat(relay.getAsJsonObject("lastUpstreamFailure").get("code").getAsInt())
          .as("closed for its age, never refused")
          .isNotEqualTo(16);
    }

    upstream.snapshot(
        ControlPlaneIT.plus(first, "2", List.of(ControlPlaneIT.cluster("extra")), List.of()));
    meshboot.waitUntil(
        () ->
            meshboot.envoy("/clusters").contains("extra::")
                && meshboot.acked(RelayLiveIT.CLUSTERS).equals("2"),
        "the new cluster in Envoy and ACKed after the keys changed");
    assertThat(upstream.refusals()).isEmpty();
    assertThat(meshboot.output())
        .as("no stream failed for its signature, upstream or in the relay")
        .doesNotContain("UNAUTHENTICATED")
        .doesNotContain("container-secret-");
  }
}
