package dev.meshboot.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "::",
        "::1",
        "fd00::17",
        "fe80::fc:ff:fe00:1",
        "2001:db8:0:0:0:0:2:1",
        "1::",
        "::ffff:10.0.0.1",
        "64:ff9b::192.0.2.33",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:1.2.3.4"
      })
  void acceptsIpv6Literals(String text) {
    assertThat(Addresses.isIpv6(text)).isTrue();
    assertThat(Addresses.isIpLiteral(text)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        ":",
        ":::",
        "1:2:3:4:5:6:7:8:9",
        "1::2::3",
        "12345::",
        "g::1",
        "::1x",
        "1:2:3:4:5:6:7",
        ":1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:",
        "::300.1.1.1",
        "localhost",
        "127.0.0.1"
      })
  void rejectsOtherText(String text) {
    assertThat(Addresses.isIpv6(text)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"256.1.1.1", "1.2.3", "01.2.3.4x", "a.b.c.d"})
  void rejectsBadIpv4(String text) {
    assertThat(Addresses.isIpv4(text)).isFalse();
  }

  /** RFC 5952's canonical form, from the examples of its sections 4.2 and 4.3. */
  @ParameterizedTest
  @CsvSource({
    "2001:0db8:0000:0000:0000:0000:0002:0001, 2001:db8::2:1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
    "fe80:0:0:0:fc:ff:fe00:1, fe80::fc:ff:fe00:1",
    "0:0:0:0:0:0:0:1, ::1",
    "0:0:0:0:0:0:0:0, ::",
    "1:0:0:0:0:0:0:0, 1::",
    "fd00:0:0:0:0:0:0:17, fd00::17",
    "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8"
  })
  void printsIpv6InRfc5952Form(String given, String canonical) throws UnknownHostException {
    // A literal: InetAddress parses it without a lookup.
    byte[] bytes = InetAddress.getByName(given).getAddress();
    assertThat(Addresses.ipv6Text(bytes)).isEqualTo(canonical);
  }

  /** Loopback, any-address and equality agree with the JDK's own parser of the same literals. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.8.9.10",
        "128.0.0.1",
        "10.0.0.7",
        "0.0.0.0",
        "::",
        "0:0:0:0:0:0:0:0",
        "::0",
        "::1",
        "0:0:0:0:0:0:0:1",
        "::01",
        "::2",
        "1::",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:0.0.0.0",
        "fe80::1",
        "0:0:0:0:0:1:0:1",
        "::127.0.0.1"
      })
  void loopbackAndAnyAddressAsTheJdkSeesThem(String literal) throws UnknownHostException {
    InetAddress jdk = InetAddress.getByName(literal);
    assertThat(Addresses.isLoopback(literal)).as(literal).isEqualTo(jdk.isLoopbackAddress());
    assertThat(Addresses.isAny(literal)).as(literal).isEqualTo(jdk.isAnyLocalAddress());
    for (String other : List.of("::1", "0:0:0:0:0:0:0:1", "::", "0.0.0.0", literal)) {
      boolean bothV6 = Addresses.isIpv6(literal) && Addresses.isIpv6(other);
      boolean bothV4 = Addresses.isIpv4(literal) && Addresses.isIpv4(other);
      if (bothV4 || bothV6) {
        // the JDK folds ::ffff:a.b.c.d into IPv4; Envoy binds it as IPv6: compare bytes of both
        assertThat(Addresses.sameAddress(literal, other))
            .as(literal + " and " + other)
            .isEqualTo(Arrays.equals(ipv6Bytes(jdk), ipv6Bytes(InetAddress.getByName(other))));
      }
    }
  }

  private static byte[] ipv6Bytes(InetAddress address) {
    byte[] raw = address.getAddress();
    if (raw.length == 16) {
      return raw;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(raw, 0, mapped, 12, 4);
    return mapped;
  }
}
