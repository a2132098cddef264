package dev.meshboot.mesh.load;

import static dev.meshboot.mesh.load.Definitions.gateway;
import static dev.meshboot.mesh.load.Definitions.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Support} table against the App Mesh API model that bin/test installs (not the copy in
 * the jar): every member of every shape the spec shapes reach is supported or refused, and every
 * refused member in a definition is an error with the table's reason.
 */
class SupportTest {

  private static final String ARN = "arn:aws:acm:us-west-2:111122223333:certificate/abc";
  private static final String CA = "arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/x";

  /** A definition using each refused member: the file, its text, and the label and path. */
  private record Example(String file, String text, String where) {}

  private static final Map<String, Example> EXAMPLES = new LinkedHashMap<>();

  static {
    EXAMPLES.put(
        "ListenerTlsCertificate.acm",
        new Example(
            "c.json",
            node(
                "c",
                """
                {"listeners": [{"portMapping": {"port": 8085, "protocol": "http"},
                                "tls": {"mode": "STRICT",
                                        "certificate": {"acm": {"certificateArn": "%s"}}}}],
                 "serviceDiscovery": {"dns": {"hostname": "c.local"}}}"""
                    .formatted(ARN)),
            "virtualNode c in mesh m: $.spec.listeners[0].tls.certificate.acm"));
    EXAMPLES.put(
        "TlsValidationContextTrust.acm",
        new Example(
            "c.json",
            node(
                "c",
                """
                {"backendDefaults": {"clientPolicy": {"tls": {"validation": {"trust":
                   {"acm": {"certificateAuthorityArns": ["%s"]}}}}}}}"""
                    .formatted(CA)),
            "virtualNode c in mesh m: $.spec.backendDefaults.clientPolicy.tls.validation.trust.acm"));
    EXAMPLES.put(
        "ServiceDiscovery.awsCloudMap",
        new Example(
            "c.json",
            node(
                "c",
                """
                {"listeners": [{"portMapping": {"port": 8085, "protocol": "http"}}],
                 "serviceDiscovery": {"awsCloudMap": {"namespaceName": "ns", "serviceName": "c"}}}"""),
            "virtualNode c in mesh m: $.spec.serviceDiscovery.awsCloudMap"));
    EXAMPLES.put(
        "VirtualGatewayListenerTlsCertificate.acm",
        new Example(
            "h.json",
            gateway(
                "h",
                """
                {"listeners": [{"portMapping": {"port": 8090, "protocol": "http"},
                                "tls": {"mode": "STRICT",
                                        "certificate": {"acm": {"certificateArn": "%s"}}}}]}"""
                    .formatted(ARN)),
            "virtualGateway h in mesh m: $.spec.listeners[0].tls.certificate.acm"));
    EXAMPLES.put(
        "VirtualGatewayTlsValidationContextTrust.acm",
        new Example(
            "h.json",
            gateway(
                "h",
                """
                {"listeners": [{"portMapping": {"port": 8090, "protocol": "http"}}],
                 "backendDefaults": {"clientPolicy": {"tls": {"validation": {"trust":
                   {"acm": {"certificateAuthorityArns": ["%s"]}}}}}}}"""
                    .formatted(CA)),
            "virtualGateway h in mesh m:"
                + " $.spec.backendDefaults.clientPolicy.tls.validation.trust.acm"));
  }

  private static boolean refused(String member) {
    return Support.of(
            member.substring(0, member.indexOf('.')), member.substring(member.indexOf('.') + 1))
        .map(e -> e.status() == Support.Status.REFUSED)
        .orElse(false);
  }

  @Test
  void everyMemberOfEverySpecShapeIsSupportedOrRefused() {
    Set<String> model = InstalledModel.specMembers(InstalledModel.shapes(), m -> false);
    Set<String> table =
        Support.entries().stream()
            .map(e -> e.shape() + "." + e.member())
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(model).hasSizeGreaterThan(250);
    assertThat(table).as("the Support table").containsExactlyInAnyOrderElementsOf(model);
  }

  @Test
  void refusedMembersSayWhatToUseInstead() {
    assertThat(Support.entries())
        .filteredOn(e -> e.status() == Support.Status.REFUSED)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.reason()).contains("; use "));
    assertThat(Support.entries())
        .filteredOn(e -> e.status() == Support.Status.SUPPORTED)
        .allSatisfy(e -> assertThat(e.reason()).isEmpty());
  }

  @Test
  void everyRefusedMemberInADefinitionIsAnErrorWithItsReason(@TempDir Path tmp) {
    Set<String> reachable =
        InstalledModel.specMembers(InstalledModel.shapes(), SupportTest::refused);
    Set<String> refused = new TreeSet<>(reachable.stream().filter(SupportTest::refused).toList());
    assertThat(refused)
        .as("refused members a definition can reach (each needs an example here)")
        .containsExactlyInAnyOrderElementsOf(EXAMPLES.keySet());
    for (Map.Entry<String, Example> example : EXAMPLES.entrySet()) {
      Path dir = tmp.resolve(example.getKey());
      Definitions.write(dir, Map.of(example.getValue().file(), example.getValue().text()));
      String member = example.getKey();
      String reason =
          Support.of(
                  member.substring(0, member.indexOf('.')),
                  member.substring(member.indexOf('.') + 1))
              .orElseThrow()
              .reason();
      assertThat(Definitions.errors(dir, dir))
          .as(member)
          .containsExactly(
              example.getValue().file() + ": " + example.getValue().where() + ": " + reason);
    }
  }

  @Test
  void theBundledModelIsTheInstalledOne() throws IOException {
    try (InputStream bundled = ApiModel.class.getResourceAsStream(ApiModel.RESOURCE)) {
      assertThat(bundled).as("the jar's copy").isNotNull();
      assertThat(InstalledModel.text(bundled))
          .as(
              "the bundled model (agent/src/main/resources/dev/meshboot/mesh/load/%s) differs from"
                  + " the one bin/test installed (%s): copy the installed one over it and check"
                  + " the Support table",
              ApiModel.RESOURCE, InstalledModel.path())
          .isEqualTo(InstalledModel.text());
    }
  }

  @Test
  void theShapeRulesAreForShapesOfTheModel() {
    JsonObject shapes = InstalledModel.shapes();
    assertThat(ShapeRules.shapes())
        .allSatisfy(shape -> assertThat(shapes.has(shape)).as(shape).isTrue());
  }
}
