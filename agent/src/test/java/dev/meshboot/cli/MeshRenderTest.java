package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code meshboot mesh render DIR --node NAME}: one node's xDS resources, selected by name, node id
 * or ARN, as JSON or YAML; a node the definition does not have is exit 3 naming those it has.
 */
class MeshRenderTest {

  private static final String WORKSHOP = "../examples/appmesh-workshop";

  @Test
  void rendersOneNodesResourcesAsJson() {
    CliTest.Result result = CliTest.run(Map.of(), "mesh", "render", WORKSHOP, "--node", "frontend");
    assertThat(result.err()).isEmpty();
    assertThat(result.code()).isZero();
    JsonObject resources = JsonParser.parseString(result.out()).getAsJsonObject();
    assertThat(resources.keySet())
        .containsExactly("listeners", "clusters", "routes", "endpoints", "secrets");
    assertThat(names(resources.getAsJsonArray("listeners")))
        .containsExactlyInAnyOrder("lds_ingress_0.0.0.0_15000", "lds_egress_0.0.0.0_15001");
    // App Mesh's names: the local app behind the ingress listener, and the backends' nodes
    assertThat(names(resources.getAsJsonArray("clusters")))
        .contains(
            "cds_ingress_appmesh-workshop_frontend_http_9080",
            "cds_egress_appmesh-workshop_crystal-sd-vanilla_http_9081",
            "cds_egress_appmesh-workshop_crystal-sd-epoch_http_9082",
            "cds_egress_appmesh-workshop_nodejs_http_9083");
  }

  @Test
  void selectsTheNodeByNameNodeIdOrArnTheSame() {
    String byName =
        CliTest.run(Map.of(), "mesh", "render", WORKSHOP, "--node", "crystal-sd-epoch").out();
    String byId =
        CliTest.run(
                Map.of(),
                "mesh",
                "render",
                WORKSHOP,
                "--node",
                "mesh/appmesh-workshop/virtualNode/crystal-sd-epoch")
            .out();
    String byArn =
        CliTest.run(
                Map.of(),
                "mesh",
                "render",
                WORKSHOP,
                "--node=arn:aws:appmesh:us-west-2:111122223333:mesh/appmesh-workshop/virtualNode/crystal-sd-epoch")
            .out();
    assertThat(byName).startsWith("{").isEqualTo(byId).isEqualTo(byArn);
    String frontend = CliTest.run(Map.of(), "mesh", "render", WORKSHOP, "--node", "frontend").out();
    assertThat(frontend).isNotEqualTo(byName);
  }

  @Test
  void yamlIsTheSameTreeAsJson() {
    CliTest.Result json = CliTest.run(Map.of(), "mesh", "render", WORKSHOP, "--node", "frontend");
    CliTest.Result yaml =
        CliTest.run(Map.of(), "mesh", "render", WORKSHOP, "--node", "frontend", "--format", "yaml");
    assertThat(yaml.code()).isZero();
    assertThat(yaml.out()).doesNotStartWith("{").contains("name: lds_egress_0.0.0.0_15001");
    Object fromYaml = new Load(LoadSettings.builder().build()).loadFromString(yaml.out());
    Object fromJson = new Load(LoadSettings.builder().build()).loadFromString(json.out());
    assertThat(fromYaml).isEqualTo(fromJson);
  }

  @Test
  void aNodeTheDefinitionDoesNotHaveIsExit3NamingThoseItHas() {
    CliTest.Result result = CliTest.run(Map.of(), "mesh", "render", WORKSHOP, "--node", "cart");
    assertThat(result.code()).isEqualTo(ExitCode.CONFIG.code());
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .startsWith(
            "meshboot: --node cart: "
                + WORKSHOP
                + " defines no such virtual node or gateway; it defines"
                + " mesh/appmesh-workshop/virtualNode/crystal-sd-epoch,");
  }

  @Test
  void aNameInTwoMeshesIsAmbiguous(@TempDir Path dir) throws IOException {
    for (String mesh : List.of("blue", "green")) {
      Files.writeString(
          dir.resolve(mesh + ".yaml"),
          """
          meshName: %s
          spec: {}
          ---
          meshName: %s
          virtualNodeName: cart
          spec:
            listeners: [{portMapping: {port: 8080, protocol: http}}]
            serviceDiscovery: {dns: {hostname: cart.local}}
          """
              .formatted(mesh, mesh));
    }
    CliTest.Result result =
        CliTest.run(Map.of(), "mesh", "render", dir.toString(), "--node", "cart");
    assertThat(result.code()).isEqualTo(ExitCode.CONFIG.code());
    assertThat(result.err())
        .startsWith(
            "meshboot: --node cart is ambiguous in "
                + dir
                + ": name one of mesh/blue/virtualNode/cart, mesh/green/virtualNode/cart");
    assertThat(
            CliTest.run(
                    Map.of(),
                    "mesh",
                    "render",
                    dir.toString(),
                    "--node",
                    "mesh/green/virtualNode/cart")
                .code())
        .isZero();
  }

  @Test
  void anInvalidDefinitionIsExit4WithItsErrors(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("mesh.json"), "{\"meshName\": \"m\", \"spec\": {\"colour\": \"blue\"}}");
    CliTest.Result result =
        CliTest.run(Map.of(), "mesh", "render", dir.toString(), "--node", "cart");
    assertThat(result.code()).isEqualTo(ExitCode.INVALID.code());
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).contains("$.spec.colour").contains("is not a valid mesh definition");
  }

  @Test
  void badCommandLinesAreUsageErrors() {
    assertThat(CliTest.run(Map.of(), "mesh", "render", WORKSHOP).err())
        .startsWith("meshboot: mesh render needs --node NAME");
    CliTest.Result format =
        CliTest.run(Map.of(), "mesh", "render", WORKSHOP, "--node", "frontend", "--format", "xml");
    assertThat(format.code()).isEqualTo(ExitCode.USAGE.code());
    assertThat(format.err()).startsWith("meshboot: --format must be json or yaml, not \"xml\"");
    assertThat(CliTest.run(Map.of(), "mesh", "render", "--node", "frontend").code())
        .isEqualTo(ExitCode.USAGE.code());
  }

  private static List<String> names(JsonArray resources) {
    List<String> names = new ArrayList<>();
    for (JsonElement resource : resources) {
      names.add(resource.getAsJsonObject().get("name").getAsString());
    }
    return names;
  }
}
