package dev.meshboot.it;

import dev.meshboot.cli.Main;
import dev.meshboot.mesh.serve.TestMesh;
import java.util.Arrays;
import java.util.Optional;

/**
 * meshboot's entry point with the serving tests' loader and translator ({@link TestMesh}) wired in,
 * for the integration tests that run {@code mesh serve} and {@code run --mesh} as processes until
 * the real ones are: {@code java -cp meshboot.jar:<test classes> dev.meshboot.it.TestMeshMain}.
 */
public final class TestMeshMain {

  private TestMeshMain() {}

  public static void main(String[] argv) {
    int code =
        Main.run(
            Arrays.asList(argv),
            Main.Context.system(System.getenv(), System.out, System.err, Optional.empty())
                .withMesh(TestMesh.source()));
    System.out.flush();
    System.exit(code);
  }
}
