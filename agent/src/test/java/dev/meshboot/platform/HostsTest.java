package dev.meshboot.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.config.HostFacts;
import org.junit.jupiter.api.Test;

class HostsTest {

  @Test
  void listsLoopbackAndWritesIpv6InRfc5952FormAsAwsAgentDid() {
    HostFacts facts = Hosts.facts();
    assertThat(facts.interfaces())
        .as("every machine (and network namespace) has lo")
        .anySatisfy(nic -> assertThat(nic.ipv4()).contains("127.0.0.1/8"));
    assertThat(facts.interfaces())
        .allSatisfy(
            nic ->
                assertThat(nic.ipv6())
                    .allSatisfy(
                        cidr ->
                            assertThat(cidr)
                                .doesNotContain("0:0:0")
                                .doesNotContain("%")
                                .matches("[0-9a-f:]+/\\d+")));
  }
}
