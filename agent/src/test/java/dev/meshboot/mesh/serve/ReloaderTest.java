package dev.meshboot.mesh.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.NodeKey;
import dev.meshboot.mesh.NodeResources;
import dev.meshboot.mesh.Translation;
import dev.meshboot.mesh.load.MeshLoader;
import dev.meshboot.mesh.xds.Translator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental re-translation with the real loader and translator on the App Mesh workshop's
 * definition: a change translates and rebuilds only the nodes it can affect, and what is served
 * then is what translating the whole new definition gives.
 */
class ReloaderTest {

  private static final Path WORKSHOP = Path.of("../examples/appmesh-workshop");
  private static final String MESH = "appmesh-workshop";

  @TempDir Path tmp;
  private Path dir;
  private final List<NodeKey> translated = new ArrayList<>();
  private final ServeStats stats = new ServeStats();
  private final MeshCache cache = new MeshCache(stats);
  private Reloader reloader;

  private static NodeKey node(String name) {
    return new NodeKey(MESH, Kind.VIRTUAL_NODE, name);
  }

  @BeforeEach
  void copy() throws IOException {
    dir = tmp.resolve("mesh");
    try (Stream<Path> files = Files.walk(WORKSHOP)) {
      for (Path file : files.toList()) {
        Path to = dir.resolve(WORKSHOP.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to);
        }
      }
    }
    MeshSource counting =
        new MeshSource(
            MeshLoader::load,
            definition -> {
              Translation real = Translator.of(definition);
              return new Translation() {
                @Override
                public List<NodeKey> nodes() {
                  return real.nodes();
                }

                @Override
                public Optional<NodeResources> node(NodeKey key) {
                  translated.add(key);
                  return real.node(key);
                }

                @Override
                public Set<NodeKey> affectedBy(Kind kind, String mesh, String name) {
                  return real.affectedBy(kind, mesh, name);
                }
              };
            });
    reloader = new Reloader(dir, counting, cache, stats, Clock.systemUTC());
  }

  private void edit(String file, String from, String to) throws IOException {
    Path path = dir.resolve(file);
    String text = Files.readString(path);
    assertThat(text).contains(from);
    Files.writeString(path, text.replace(from, to));
  }

  /** Every node's version, as the cache serves it and as a whole translation gives it. */
  private void assertServedIsTheWholeTranslation() {
    MeshDefinition definition = MeshLoader.load(dir);
    Map<NodeKey, String> whole = new LinkedHashMap<>();
    Translator.translate(definition)
        .forEach((key, resources) -> whole.put(key, NodeSnapshot.of(resources).version()));
    Map<NodeKey, String> served = new LinkedHashMap<>();
    cache.served().forEach((key, snapshot) -> served.put(key, snapshot.version()));
    assertThat(served).containsExactlyInAnyOrderEntriesOf(whole);
  }

  @Test
  void aRouteChangeRetranslatesOnlyTheNodesThatReachItsRouter() throws Exception {
    reloader.initial();
    assertThat(translated).hasSize(4);
    NodeSnapshot nodejs = cache.snapshot(node("nodejs")).orElseThrow();
    NodeSnapshot vanilla = cache.snapshot(node("crystal-sd-vanilla")).orElseThrow();
    translated.clear();

    edit("routes/crystal-random-route.json", "\"weight\": 2", "\"weight\": 3");
    reloader.reload();

    assertThat(stats.lastRefused()).isNull();
    assertThat(translated).containsExactly(node("frontend"));
    assertThat(stats.current().changed()).containsExactly("mesh/" + MESH + "/virtualNode/frontend");
    assertThat(stats.current().translated()).isEqualTo(1);
    assertThat(cache.snapshot(node("nodejs")).orElseThrow()).isSameAs(nodejs);
    assertThat(cache.snapshot(node("crystal-sd-vanilla")).orElseThrow()).isSameAs(vanilla);
    assertServedIsTheWholeTranslation();
  }

  @Test
  void anUnchangedDefinitionTranslatesNothing() throws Exception {
    reloader.initial();
    translated.clear();

    Files.writeString(
        dir.resolve("mesh.json"), Files.readString(dir.resolve("mesh.json")).replace("  ", "    "));
    reloader.reload();

    assertThat(translated).isEmpty();
    assertThat(stats.current().changed()).isEmpty();
  }

  @Test
  void aTargetNodesChangeReachesTheNodesThatRouteToIt() throws Exception {
    reloader.initial();
    translated.clear();

    edit("virtual-nodes/crystal-sd-epoch.json", "\"port\": 9082", "\"port\": 9083");
    reloader.reload();

    assertThat(translated).containsExactlyInAnyOrder(node("crystal-sd-epoch"), node("frontend"));
    assertServedIsTheWholeTranslation();
  }

  @Test
  void aServiceMovedToAnotherProviderRetranslatesWhatReadEither() throws Exception {
    reloader.initial();
    translated.clear();

    edit(
        "virtual-services/crystal.appmeshworkshop.hosted.local.json",
        "\"virtualRouter\": {\n        \"virtualRouterName\": \"crystal-router\"",
        "\"virtualNode\": {\n        \"virtualNodeName\": \"crystal-sd-vanilla\"");
    reloader.reload();

    assertThat(stats.lastRefused()).isNull();
    assertThat(translated).containsExactly(node("frontend"));
    assertServedIsTheWholeTranslation();

    translated.clear();
    Files.delete(dir.resolve("virtual-nodes/nodejs.json"));
    Files.delete(dir.resolve("virtual-services/nodejs.appmeshworkshop.hosted.local.json"));
    edit(
        "virtual-nodes/frontend.json",
        "},\n      {\n        \"virtualService\": {\n          \"virtualServiceName\":"
            + " \"nodejs.appmeshworkshop.hosted.local\"\n        }\n      }",
        "}");
    reloader.reload();

    assertThat(stats.lastRefused()).isNull();
    assertThat(translated).containsExactlyInAnyOrder(node("frontend"), node("nodejs"));
    assertThat(stats.current().removed()).containsExactly("mesh/" + MESH + "/virtualNode/nodejs");
    assertServedIsTheWholeTranslation();
  }
}
