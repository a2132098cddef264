package dev.meshboot.it;

import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.load.MeshLoader;
import dev.meshboot.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The agent's fixture meshes ({@code agent/src/test/resources/mesh-xds/<mesh>/definition}) as the
 * real {@link MeshLoader} reads them: copied to a test's directory with what the test decides at
 * run time filled in ({@code @CERTS@}, an egress filter), then loaded.
 */
final class MeshFixtureFiles {

  static final Path ROOT =
      Path.of(System.getProperty("meshboot.goldens")).getParent().resolve("mesh-xds");

  private static boolean issued;

  private MeshFixtureFiles() {}

  /**
   * The test JVM's shared CA ({@code @CERTS@/mesh-ca.pem}) with the certificates the fixtures and
   * tests name, issued on first use: {@code server} (api.tls.local, legacy.tls.local), {@code
   * client} (client.tls.local), {@code rogue} (rogue.tls.local), {@code gateway} and {@code
   * outside} (outside.test and an AWS name).
   */
  static synchronized TestPki pki() throws Exception {
    TestPki pki = TestPki.shared();
    if (!issued) {
      pki.issue("server", "dns:api.tls.local", "dns:legacy.tls.local");
      pki.issue("client", "dns:client.tls.local");
      pki.issue("rogue", "dns:rogue.tls.local");
      pki.issue("gateway", "dns:gateway.tls.local");
      pki.issue("outside", "dns:outside.test", "dns:sts.us-east-1.amazonaws.com");
      issued = true;
    }
    return pki;
  }

  /**
   * Loads fixture mesh {@code mesh} from a copy in {@code dir}, each file's text passed through
   * {@code edit}.
   */
  static MeshDefinition load(String mesh, Path dir, UnaryOperator<String> edit) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(ROOT.resolve(mesh).resolve("definition"))) {
      for (Path file : files.toList()) {
        Files.writeString(dir.resolve(file.getFileName()), edit.apply(Files.readString(file)));
      }
    }
    return MeshLoader.load(dir);
  }

  /** The resources of node {@code id} ({@code mesh/<mesh>/virtualNode/<name>}). */
  static NodeResources node(Map<NodeKey, NodeResources> nodes, String id) {
    return nodes.entrySet().stream()
        .filter(e -> e.getKey().toString().equals(id))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no node " + id + " in " + nodes.keySet()));
  }
}
