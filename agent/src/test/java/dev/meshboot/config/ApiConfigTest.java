package dev.meshboot.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.io.SocketEndpoint;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiConfigTest {

  private static ApiConfig api(String... pairs) {
    Map<String, String> env = new java.util.HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return ApiConfig.from(Environment.of(env));
  }

  @Test
  void takesTheBindAddressesAppMeshsAgentListenedOn() {
    assertThat(
            api("APPNET_AGENT_ADMIN_MODE", "tcp", "APPNET_AGENT_HTTP_BIND_ADDRESS", "[::]")
                .endpoint())
        .isEqualTo(new SocketEndpoint.Tcp("::", 9902));
    assertThat(
            api("APPNET_AGENT_ADMIN_MODE", "tcp", "APPNET_AGENT_HTTP_BIND_ADDRESS", "localhost")
                .endpoint())
        .isEqualTo(new SocketEndpoint.Tcp("127.0.0.1", 9902));
  }

  @Test
  void anUnknownApiModeServesOverTcpAsAppMeshsAgentDid() {
    ApiConfig config = api("APPNET_AGENT_ADMIN_MODE", "socket");
    assertThat(config.served()).isTrue();
    assertThat(config.endpoint()).isInstanceOf(SocketEndpoint.Tcp.class);
  }

  @Test
  void pollsAtTheReadinessIntervalWhenHcPollIntervalIsNoIntegerAsAppMeshsAgentDid() {
    assertThat(api("APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S", "5").pollInterval())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(
            api("HC_POLL_INTERVAL_MS", "often", "APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S", "3")
                .pollInterval())
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(
            api("HC_POLL_INTERVAL_MS", "4000", "APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S", "3")
                .pollInterval())
        .isEqualTo(Duration.ofSeconds(4));
    assertThat(api("APPNET_AGENT_POLL_ENVOY_READINESS_INTERVAL_S", "1").pollInterval())
        .as("then range-checked: below 2 s is the default")
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(api().pollInterval()).isEqualTo(Duration.ofSeconds(10));
  }
}
