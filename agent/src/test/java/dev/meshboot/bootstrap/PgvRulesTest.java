package dev.meshboot.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The descriptor-driven checker covers every validation rule the Envoy API uses. */
class PgvRulesTest {

  @Test
  void everyRuleTheEnvoyApiUsesIsImplemented() {
    EnvoySchema schema = EnvoySchema.load(EnvoySchema.Scope.FULL);
    List<Descriptor> types = new ArrayList<>();
    schema.messages().forEach(type -> collect(type, types));
    Set<String> used = Validation.rulesUsed(schema, types);
    assertThat(used).hasSizeGreaterThan(30);
    assertThat(PgvRules.SUPPORTED).containsAll(used);
  }

  private static void collect(Descriptor type, List<Descriptor> out) {
    out.add(type);
    type.getNestedTypes().forEach(nested -> collect(nested, out));
  }

  @Test
  void aRuleTheCheckerDoesNotImplementFailsInsteadOfPassing() throws Exception {
    EnvoySchema schema = EnvoySchema.load(EnvoySchema.Scope.FULL);
    Descriptor fieldRules = schema.findMessage("validate.FieldRules");
    Descriptor timestampRules = schema.findMessage("validate.TimestampRules");
    com.google.protobuf.DynamicMessage within =
        com.google.protobuf.DynamicMessage.newBuilder(timestampRules)
            .setField(timestampRules.findFieldByName("lt_now"), true)
            .build();
    com.google.protobuf.DynamicMessage rules =
        com.google.protobuf.DynamicMessage.newBuilder(fieldRules)
            .setField(fieldRules.findFieldByName("timestamp"), within)
            .build();
    assertThat(PgvRules.SUPPORTED).doesNotContain("timestamp.lt_now");
    assertThat(PgvRules.of(rules).check(com.google.protobuf.Timestamp.getDefaultInstance()))
        .isEqualTo("has the validation rule timestamp.lt_now, which meshboot cannot check");
  }
}
