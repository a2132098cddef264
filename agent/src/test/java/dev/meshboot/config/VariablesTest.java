package dev.meshboot.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

class VariablesTest {

  @Test
  void namesAndOptionsAreUniqueAndOptionsFollowTheRule() {
    assertThat(new HashSet<>(Variables.ALL.stream().map(Variable::name).toList()))
        .hasSize(Variables.ALL.size());
    assertThat(new HashSet<>(Variables.ALL.stream().map(Variable::option).toList()))
        .hasSize(Variables.ALL.size());
    for (Variable variable : Variables.ALL) {
      // the two short options the README and the issues name: --envoy, --mesh
      if (!variable.name().equals("ENVOY_BIN") && !variable.name().equals("MESHBOOT_MESH")) {
        assertThat(variable.option()).isEqualTo(Variable.optionFor(variable.name()));
      }
      assertThat(variable.description()).isNotBlank().endsWith(".");
    }
    assertThat(Variables.byOption("--envoy")).isEqualTo(Variables.ENVOY_BIN);
    assertThat(Variables.byOption("--mesh")).isEqualTo(Variables.MESHBOOT_MESH);
  }
}
