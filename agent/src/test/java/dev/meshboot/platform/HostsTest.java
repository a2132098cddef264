package dev.meshboot.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.config.HostFacts;
import dev.meshboot.io.Addresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class HostsTest {

  @Test
  void listsLoopbackAndWritesIpv6InRfc5952FormAsAwsAgentDid() throws UnknownHostException {
    HostFacts facts = Hosts.facts();
    assertThat(facts.interfaces())
        .as("every machine (and network namespace) has lo")
        .anySatisfy(nic -> assertThat(nic.ipv4()).contains("127.0.0.1/8"));
    for (HostFacts.NetworkInterface nic : facts.interfaces()) {
      for (String cidr : nic.ipv6()) {
        String address = cidr.substring(0, cidr.indexOf('/'));
        assertThat(address).doesNotContain("%").matches("[0-9a-f:]+");
        // A literal: parsed without a lookup, printed back in RFC 5952 form (AddressesTest).
        assertThat(Addresses.ipv6Text(InetAddress.getByName(address).getAddress()))
            .as("written as Go's net.IP writes it")
            .isEqualTo(address);
      }
    }
  }
}
