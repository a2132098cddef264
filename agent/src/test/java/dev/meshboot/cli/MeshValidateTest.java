package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshboot mesh validate}: a summary and exit 0, or every error and exit 4. */
class MeshValidateTest {

  @Test
  void summarizesAValidDefinition() {
    CliTest.Result result =
        CliTest.run(Map.of(), "mesh", "validate", "../examples/appmesh-workshop");
    assertThat(result.err()).isEmpty();
    assertThat(result.code()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "../examples/appmesh-workshop: valid: 1 mesh, 4 virtual nodes, 3 virtual services, 1"
                + " virtual router, 2 routes, 0 virtual gateways, 0 gateway routes\n");
  }

  @Test
  void printsEveryErrorAndExits4(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("mesh.yaml"),
        """
        meshName: m
        spec: {egressFilter: {type: DROP_SOME}}
        ---
        meshName: m
        virtualServiceName: s.local
        spec: {provider: {virtualNode: {virtualNodeName: missing}}}
        """);
    CliTest.Result result = CliTest.run(Map.of(), "mesh", "validate", dir.toString());
    assertThat(result.code()).isEqualTo(ExitCode.INVALID.code());
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            dir
                + "/mesh.yaml: mesh m: $.spec.egressFilter.type: expected one of ALLOW_ALL, DROP_ALL"
                + " but got \"DROP_SOME\"\n"
                + dir
                + "/mesh.yaml (document 2): virtualService s.local in mesh m:"
                + " $.spec.provider.virtualNode.virtualNodeName: virtualNode \"missing\" is not"
                + " defined in mesh m\n"
                + "meshboot: "
                + dir
                + " is not a valid mesh definition (2 errors)\n");
  }

  @Test
  void takesOneDirectoryOrFile() {
    CliTest.Result none = CliTest.run(Map.of(), "mesh", "validate");
    assertThat(none.code()).isEqualTo(ExitCode.USAGE.code());
    assertThat(none.err())
        .startsWith("meshboot: mesh validate takes one directory or file of App Mesh resources");
    assertThat(CliTest.run(Map.of(), "mesh", "validate", "a", "b").code())
        .isEqualTo(ExitCode.USAGE.code());
    assertThat(CliTest.run(Map.of(), "mesh", "validate", "--strict").code())
        .isEqualTo(ExitCode.USAGE.code());
  }
}
