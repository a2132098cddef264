package dev.meshboot.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExplainTest {

  @Test
  void namesTheSourceOfEveryFieldAndRedactsSecrets() {
    String text =
        Explain.render(
            List.of(
                new Provenance(
                    "admin.address.socket_address.port_value",
                    "9901",
                    "ENVOY_ADMIN_ACCESS_PORT (default)"),
                new Provenance(
                    "static_resources.secrets[s].tls_certificate.private_key.inline_string",
                    "\"-----BEGIN KEY\"",
                    "file /x.yaml")));
    assertThat(text)
        .contains("admin.address.socket_address.port_value = 9901")
        .contains("<- ENVOY_ADMIN_ACCESS_PORT (default)")
        .contains("private_key.inline_string = \"<redacted>\"")
        .doesNotContain("BEGIN KEY");
  }
}
