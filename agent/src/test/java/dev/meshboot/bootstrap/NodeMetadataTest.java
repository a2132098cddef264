package dev.meshboot.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.config.PlatformFacts.IpFamilies;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeMetadataTest {

  @Test
  void awsvpcFamiliesAreReportedAsFound() {
    assertThat(
            NodeMetadata.supportedIpFamilies(
                new IpFamilies("ALL", false), Optional.of("{\"app\": \"2001:db8::5\"}")))
        .isEqualTo("ALL");
    assertThat(
            NodeMetadata.supportedIpFamilies(new IpFamilies("IPv4_ONLY", false), Optional.empty()))
        .isEqualTo("IPv4_ONLY");
  }

  @Test
  void aDualStackPauseContainerIsIpv6OnlyWhenEcsMappedTheContainersToIpv6() {
    IpFamilies pause = new IpFamilies("ALL", true);
    assertThat(
            NodeMetadata.supportedIpFamilies(
                pause, Optional.of("{\"nginx-client\": \"2001:db8:1::242:ac11:5\"}")))
        .isEqualTo("IPv6_ONLY");
    assertThat(
            NodeMetadata.supportedIpFamilies(
                pause,
                Optional.of("{\"nginx-client\": \"172.17.0.5\", \"web-client\": \"172.17.0.7\"}")))
        .isEqualTo("ALL");
    assertThat(NodeMetadata.supportedIpFamilies(pause, Optional.empty())).isEqualTo("ALL");
    assertThat(NodeMetadata.supportedIpFamilies(pause, Optional.of("not json {"))).isEqualTo("ALL");
    assertThat(NodeMetadata.supportedIpFamilies(pause, Optional.of("{}"))).isEqualTo("ALL");
    assertThat(
            NodeMetadata.supportedIpFamilies(
                new IpFamilies("IPv4_ONLY", true), Optional.of("{\"a\": \"2001:db8::5\"}")))
        .isEqualTo("IPv4_ONLY");
  }
}
