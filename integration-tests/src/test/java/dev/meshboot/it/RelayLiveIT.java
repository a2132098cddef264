package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running Envoy behind meshboot's relay, with a SigV4-protected upstream: configuration changes
 * arrive and are ACKed, a rejected one shows in {@code /status} with Envoy's error, and an Envoy
 * the supervisor restarts reconnects through the relay.
 */
class RelayLiveIT {

  static final String CLUSTERS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String LISTENERS = "type.googleapis.com/envoy.config.listener.v3.Listener";

  private RelayRun meshboot;
  private SigV4Upstream upstream;

  @AfterEach
  void stop() throws InterruptedException {
    if (meshboot != null) {
      meshboot.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private void start(Path tmp, Snapshot snapshot) throws Exception {
    upstream = SigV4Upstream.create(tmp, snapshot).start();
    meshboot = RelayRun.start(tmp, upstream.env(tmp));
    meshboot.waitConfigured();
    meshboot.waitUntil(
        () -> meshboot.acked(CLUSTERS).equals("1") && meshboot.acked(LISTENERS).equals("1"),
        "version 1 ACKed in /status");
  }

  @Test
  void aConfigurationChangeReachesEnvoyAndItsAckShowsInStatus(@TempDir Path tmp) throws Exception {
    int port = Local.freePort();
    Snapshot first = ControlPlaneIT.snapshot(port);
    start(tmp, first);
    assertThat(meshboot.envoy("/clusters")).doesNotContain("extra::");

    upstream.snapshot(
        ControlPlaneIT.plus(first, "2", List.of(ControlPlaneIT.cluster("extra")), List.of()));

    meshboot.waitUntil(
        () -> meshboot.envoy("/clusters").contains("extra::"), "the new cluster in Envoy");
    meshboot.waitUntil(
        () -> meshboot.acked(CLUSTERS).equals("2") && meshboot.acked(LISTENERS).equals("2"),
        "version 2 ACKed in /status");
    assertThat(meshboot.envoy("/config_dump?resource=dynamic_active_clusters"))
        .contains("\"version_info\": \"2\"");
    assertThat(meshboot.relay().get("lastNack").isJsonNull()).isTrue();
    assertThat(served(port)).isEqualTo("served by meshboot's test control plane");
  }

  @Test
  void aConfigurationEnvoyRejectsShowsInStatusWithEnvoysErrorAndEnvoyKeepsItsConfig(
      @TempDir Path tmp) throws Exception {
    int port = Local.freePort();
    Snapshot first = ControlPlaneIT.snapshot(port);
    start(tmp, first);

    // Two listeners on one address: Envoy refuses the second when it applies the update.
    Listener ingress = first.listeners().resources().get("ingress");
    upstream.snapshot(
        ControlPlaneIT.plus(
            first, "2", List.of(), List.of(ingress.toBuilder().setName("ingress-copy").build())));

    meshboot.waitUntil(() -> !meshboot.relay().get("lastNack").isJsonNull(), "a NACK in /status");
    JsonObject nack = meshboot.relay().getAsJsonObject("lastNack");
    assertThat(nack.get("type").getAsString()).isEqualTo(LISTENERS);
    assertThat(nack.get("version").getAsString()).isEqualTo("2");
    assertThat(nack.get("detail").getAsString())
        .contains("ingress-copy")
        .contains("duplicate address");
    meshboot.waitUntil(() -> meshboot.acked(CLUSTERS).equals("2"), "the clusters of version 2");
    assertThat(meshboot.acked(LISTENERS)).as("the listeners stay at version 1").isEqualTo("1");
    assertThat(meshboot.envoy("/ready").strip()).isEqualTo("LIVE");
    assertThat(meshboot.envoy("/listeners")).contains("ingress::").doesNotContain("ingress-copy");
    assertThat(served(port)).isEqualTo("served by meshboot's test control plane");
    assertThat(meshboot.output()).contains("Envoy rejected a configuration (NACK)");
  }

  @Test
  void anEnvoyTheSupervisorRestartsReconnectsThroughTheRelay(@TempDir Path tmp) throws Exception {
    start(tmp, ControlPlaneIT.snapshot());
    JsonObject before = meshboot.status();
    long killed = before.get("envoyPid").getAsLong();
    long reconnects = before.getAsJsonObject("xdsRelay").get("reconnects").getAsLong();
    int streams = upstream.acceptedKeys().size();

    ProcessHandle.of(killed).orElseThrow().destroyForcibly(); // SIGKILL

    meshboot.waitUntil(
        () -> {
          JsonObject status = meshboot.status();
          return !status.get("envoyPid").isJsonNull()
              && status.get("envoyPid").getAsLong() != killed
              && meshboot.configured();
        },
        "a restarted Envoy LIVE with its configuration");
    JsonObject after = meshboot.status();
    assertThat(after.get("envoyRestartCount").getAsInt()).isEqualTo(1);
    assertThat(after.getAsJsonObject("lastExit").get("classification").getAsString())
        .isEqualTo("SIGNAL");
    JsonObject relay = after.getAsJsonObject("xdsRelay");
    assertThat(relay.get("reconnects").getAsLong()).isGreaterThan(reconnects);
    assertThat(relay.get("connected").getAsBoolean()).isTrue();
    assertThat(upstream.acceptedKeys()).as("signed streams upstream").hasSizeGreaterThan(streams);
  }

  private static String served(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
