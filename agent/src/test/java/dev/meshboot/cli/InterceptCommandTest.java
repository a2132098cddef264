package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code meshboot intercept} through the CLI: exit codes and the rules it prints. */
class InterceptCommandTest {

  @Test
  void rulesPrintsTheRestoreInputWithoutPrivilege() {
    CliTest.Result result = CliTest.run(Map.of("APPMESH_APP_PORTS", "8080"), "intercept", "rules");
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "# iptables-restore --noflush\n"
                + dev.meshboot.intercept.RulesTest.APP_MESH_DEFAULTS_WITH_APP_PORT_8080);
  }

  @Test
  void withoutIptablesItExitsTenNamingTheTool() {
    // CliTest's processes cannot be started, as on a host without iptables.
    CliTest.Result result = CliTest.run(Map.of(), "intercept", "enable");
    assertThat(result.code()).isEqualTo(10);
    assertThat(result.err()).startsWith("meshboot: iptables-save cannot be run");
  }

  @Test
  void aMalformedVariableIsNamedBeforeAnythingRuns() {
    CliTest.Result result =
        CliTest.run(Map.of("APPMESH_APP_PORTS", "80,http"), "intercept", "enable");
    assertThat(result.code()).isEqualTo(3);
    assertThat(result.err()).contains("APPMESH_APP_PORTS").contains("\"80,http\"");
  }

  @Test
  void anUnknownSubcommandIsAUsageError() {
    assertThat(CliTest.run(Map.of(), "intercept", "on").code()).isEqualTo(2);
    assertThat(CliTest.run(Map.of(), "intercept").code()).isEqualTo(2);
  }
}
