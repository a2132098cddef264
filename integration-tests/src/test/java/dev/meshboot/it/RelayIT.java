package dev.meshboot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stock Envoy reaches a SigV4-protected management server through meshboot's relay: Envoy's ADS
 * goes to the relay's unix socket, the relay signs each upstream stream and speaks TLS to the
 * server, and no credential shows up in the bootstrap, the logs or {@code /status}.
 */
class RelayIT {

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

  @Test
  void envoyReachesASigV4ProtectedServerThroughTheRelay(@TempDir Path tmp) throws Exception {
    upstream = SigV4Upstream.create(tmp, ControlPlaneIT.snapshot()).start();
    Path bootstrap = tmp.resolve("envoy.json"); // where Local.meshbootRun puts it
    Map<String, String> env = upstream.env(tmp);
    env.put("MESHBOOT_LOG_LEVEL", "debug");
    meshboot = RelayRun.start(tmp, env);

    Map<String, String> probe =
        Map.of(
            "APPNET_AGENT_HTTP_PORT", Integer.toString(meshboot.api),
            "APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S", "1",
            "APPNET_AGENT_POLL_ENVOY_READINESS_TIMEOUT_S", "30");
    Cli.Result waited = Cli.run(probe, "wait-ready");
    assertThat(waited.exitCode()).as(waited.stderr() + meshboot.output()).isZero();
    Cli.Result status = Cli.run(probe, "healthcheck");
    assertThat(status.exitCode()).as(status.stdout()).isZero();
    assertThat(status.stdout())
        .contains("\"xdsRelay\"")
        .contains("\"connected\": true")
        .contains("\"credentials\"")
        .contains("type.googleapis.com/envoy.config.cluster.v3.Cluster");
    assertThat(Files.readString(bootstrap)).contains("meshboot_xds_relay");
    assertThat(upstream.acceptedKeys()).contains(SigV4Upstream.KEY_ID);

    meshboot.process.destroy();
    assertThat(meshboot.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    for (String text : List.of(meshboot.output(), Files.readString(bootstrap), status.stdout())) {
      assertThat(text).doesNotContain(SigV4Upstream.SECRET).doesNotContain(SigV4Upstream.TOKEN);
    }
  }

  /**
   * The written bootstrap is the single source of truth (issue #16, item 2): a bootstrap rendered
   * for the relay, run as ENVOY_CONFIG_FILE by a meshboot whose own environment would choose a
   * direct connection elsewhere and names no region, still gets its relay, which forwards and signs
   * where and as the file says.
   */
  @Test
  void aBootstrapRenderedForTheRelayGetsItsRelayWhateverTheRunsEnvironmentSays(@TempDir Path tmp)
      throws Exception {
    upstream = SigV4Upstream.create(tmp, ControlPlaneIT.snapshot()).start();
    int admin = Local.freePort();
    Path rendered = tmp.resolve("rendered.json");
    Map<String, String> render = upstream.relayEnv(tmp);
    render.put("APPMESH_RESOURCE_ARN", RunIT.ARN);
    render.put("ENVOY_BIN", Envoy.path().toString());
    render.put("ENVOY_ADMIN_ACCESS_PORT", Integer.toString(admin));
    Cli.Result bootstrap = Cli.run(render, "bootstrap", "--output", rendered.toString());
    assertThat(bootstrap.exitCode()).as(bootstrap.stderr()).isZero();

    Map<String, String> run = new java.util.HashMap<>();
    run.put("ENVOY_CONFIG_FILE", rendered.toString());
    run.put("APPMESH_XDS_ENDPOINT", "127.0.0.1:1");
    run.put("MESHBOOT_XDS_MODE", "direct");
    run.put("AWS_EC2_METADATA_DISABLED", "true");
    run.put("MESHBOOT_STS_ENDPOINT", "http://127.0.0.1:1");
    run.put("AWS_ACCESS_KEY_ID", SigV4Upstream.KEY_ID);
    run.put("AWS_SECRET_ACCESS_KEY", SigV4Upstream.SECRET);
    run.put("AWS_SESSION_TOKEN", SigV4Upstream.TOKEN);
    meshboot = RelayRun.start(tmp, run, admin);

    meshboot.waitUntil(
        () -> upstream.acceptedKeys().contains(SigV4Upstream.KEY_ID),
        "a stream the relay signed, accepted upstream");
    meshboot.waitUntil(
        () -> meshboot.envoy("/stats?filter=cluster_manager.cds.update_success").endsWith(": 1\n"),
        "Envoy's clusters from the management server");
    assertThat(meshboot.output()).contains("xDS relay listening");
  }
}
