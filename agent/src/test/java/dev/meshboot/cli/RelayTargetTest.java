package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The written bootstrap, not the environment, says whether and where meshboot run relays. */
class RelayTargetTest {

  @Test
  void readsTheRelayFromARenderedRelayBootstrap() {
    assertThat(RelayTarget.of(Scenarios.GOLDEN.resolve("mode-relay.json")))
        .contains(
            new RelayTarget(
                Path.of("/run/meshboot/xds.sock"),
                "appmesh-envoy-management.us-west-2.amazonaws.com",
                443,
                true,
                Optional.of("us-west-2"),
                "appmesh",
                Optional.empty()));
    assertThat(RelayTarget.of(Scenarios.GOLDEN.resolve("preview.json")).orElseThrow().signingName())
        .isEqualTo("appmesh-preview");
  }

  @Test
  void findsNoRelayInDirectOrStaticBootstraps() {
    assertThat(RelayTarget.of(Scenarios.GOLDEN.resolve("mode-direct-unix.json"))).isEmpty();
    assertThat(RelayTarget.of(Scenarios.GOLDEN.resolve("explicit-endpoint.json"))).isEmpty();
    assertThat(RelayTarget.of(Scenarios.DIR.resolve("files/whole-bootstrap.yaml"))).isEmpty();
  }

  @Test
  void readsAUsersYamlInEitherSpelling(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("envoy.yaml");
    Files.writeString(
        file,
        """
        dynamicResources:
          adsConfig:
            grpcServices: [{envoyGrpc: {clusterName: meshboot_xds_relay}}]
        staticResources:
          clusters:
            - name: meshboot_xds_relay
              metadata:
                filterMetadata:
                  meshboot.xds_relay:
                    {upstream: "xds.example.com:8443", tls: false, ca_file: /etc/mesh/ca.pem}
              loadAssignment:
                endpoints: [{lbEndpoints: [{endpoint: {address: {pipe: {path: /run/relay.sock}}}}]}]
        """);
    assertThat(RelayTarget.of(file))
        .contains(
            new RelayTarget(
                Path.of("/run/relay.sock"),
                "xds.example.com",
                8443,
                false,
                Optional.empty(),
                "appmesh",
                Optional.of(Path.of("/etc/mesh/ca.pem"))));
  }

  @Test
  void refusesARelayClusterThatDoesNotSayWhereToForward(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("envoy.json");
    Files.writeString(
        file,
        """
        {"dynamic_resources": {"ads_config": {"grpc_services": [
          {"envoy_grpc": {"cluster_name": "meshboot_xds_relay"}}]}},
         "static_resources": {"clusters": [{"name": "meshboot_xds_relay"}]}}
        """);
    assertThatThrownBy(() -> RelayTarget.of(file))
        .isInstanceOf(dev.meshboot.bootstrap.InvalidBootstrapException.class)
        .hasMessageContaining("meshboot.xds_relay.upstream");
  }
}
