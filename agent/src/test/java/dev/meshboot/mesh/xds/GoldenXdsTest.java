package dev.meshboot.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.load.MeshLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture mesh's nodes against their golden xDS files in {@code
 * src/test/resources/mesh-xds/<mesh>/golden/<virtualNode|virtualGateway>_<name>.json}, and every
 * example mesh of the repository ({@code examples/<example>}, each directory there, loaded by the
 * real {@link MeshLoader}) against {@code src/test/resources/mesh-xds-examples/<example>/}.
 * Regenerate on purpose with {@code -Dgolden.update=true} and review the diff; the integration test
 * {@code MeshXdsEnvoyIT} has a real Envoy accept every fixture mesh's.
 */
class GoldenXdsTest {

  static final boolean UPDATE = Boolean.getBoolean("golden.update");

  /** The repository's example meshes, which README and users start from. */
  static final Path EXAMPLES = Path.of("../examples");

  static final Path EXAMPLE_GOLDENS = Path.of("src/test/resources/mesh-xds-examples");

  static Stream<String> meshes() {
    return MeshFixtures.meshes(MeshFixtures.ROOT).stream();
  }

  /** Every directory under examples/: a new example cannot be left without golden files. */
  static Stream<String> examples() {
    List<String> examples = MeshFixtures.meshes(EXAMPLES);
    assertThat(examples).as("example meshes in %s", EXAMPLES.toAbsolutePath()).isNotEmpty();
    return examples.stream();
  }

  /** The golden file of {@code key}. */
  static String fileName(NodeKey key) {
    return key.kind().wrapper() + "_" + key.name() + ".json";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("meshes")
  void translatesTheMeshToItsGoldenFiles(String mesh) throws IOException {
    Path dir = MeshFixtures.ROOT.resolve(mesh);
    compare(mesh, MeshFixtures.load(dir, Map.of()), dir.resolve("golden"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void translatesTheExampleToItsGoldenFiles(String example) throws IOException {
    compare(example, MeshLoader.load(EXAMPLES.resolve(example)), EXAMPLE_GOLDENS.resolve(example));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("meshes")
  void translatesTheSameDefinitionToTheSameBytes(String mesh) {
    Path dir = MeshFixtures.ROOT.resolve(mesh);
    Map<NodeKey, NodeResources> first = Translator.translate(MeshFixtures.load(dir, Map.of()));
    Map<NodeKey, NodeResources> second = Translator.translate(MeshFixtures.load(dir, Map.of()));
    assertThat(second.keySet()).containsExactlyElementsOf(first.keySet());
    for (NodeKey key : first.keySet()) {
      assertThat(bytes(second.get(key))).isEqualTo(bytes(first.get(key)));
    }
  }

  /** The translation of {@code definition}, node by node, against the files in {@code goldens}. */
  private static void compare(String mesh, MeshDefinition definition, Path goldens)
      throws IOException {
    Map<NodeKey, NodeResources> nodes = Translator.translate(definition);
    if (UPDATE) {
      if (Files.isDirectory(goldens)) {
        try (Stream<Path> old = Files.list(goldens)) {
          for (Path file : old.toList()) {
            Files.delete(file);
          }
        }
      }
      Files.createDirectories(goldens);
      for (Map.Entry<NodeKey, NodeResources> node : nodes.entrySet()) {
        Files.writeString(goldens.resolve(fileName(node.getKey())), XdsJson.print(node.getValue()));
      }
    }
    assertThat(nodes).as("nodes of %s", mesh).isNotEmpty();
    assertThat(goldens)
        .as("golden files of %s (create them with -Dgolden.update=true)", mesh)
        .isDirectory();
    try (Stream<Path> files = Files.list(goldens)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
          .as("golden files of %s (create them with -Dgolden.update=true)", mesh)
          .isEqualTo(nodes.keySet().stream().map(GoldenXdsTest::fileName).sorted().toList());
    }
    for (Map.Entry<NodeKey, NodeResources> node : nodes.entrySet()) {
      assertThat(XdsJson.print(node.getValue()))
          .as("%s", node.getKey())
          .isEqualTo(Files.readString(goldens.resolve(fileName(node.getKey()))));
    }
  }

  private static List<String> bytes(NodeResources resources) {
    return Stream.of(
            resources.listeners(),
            resources.clusters(),
            resources.routes(),
            resources.endpoints(),
            resources.secrets())
        .flatMap(List::stream)
        .map(m -> Base64.getEncoder().encodeToString(m.toByteArray()))
        .toList();
  }
}
