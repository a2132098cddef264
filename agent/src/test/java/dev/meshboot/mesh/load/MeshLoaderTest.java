package dev.meshboot.mesh.load;

import static dev.meshboot.mesh.load.Definitions.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.Resource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Definitions that load: the workshop example, describe responses and create requests side by side,
 * YAML streams, a mesh using every supported member, and the directory walk's rules (hidden files,
 * other files, Kubernetes ConfigMap volumes, one file named alone).
 */
class MeshLoaderTest {

  static final Path WORKSHOP = Path.of("../examples/appmesh-workshop");

  private static Map<Kind, List<String>> names(MeshDefinition mesh) {
    Map<Kind, List<String>> names = new LinkedHashMap<>();
    for (Resource r : mesh.resources()) {
      names
          .computeIfAbsent(r.kind(), k -> new java.util.ArrayList<>())
          .add(r.parent().map(p -> p + "/").orElse("") + r.name());
    }
    return names;
  }

  @Test
  void loadsTheWorkshopExample() throws IOException {
    MeshDefinition mesh = MeshLoader.load(WORKSHOP);
    assertThat(names(mesh))
        .containsExactly(
            Map.entry(Kind.MESH, List.of("appmesh-workshop")),
            Map.entry(
                Kind.VIRTUAL_NODE,
                List.of("crystal-sd-epoch", "crystal-sd-vanilla", "frontend", "nodejs")),
            Map.entry(
                Kind.VIRTUAL_SERVICE,
                List.of(
                    "crystal.appmeshworkshop.hosted.local",
                    "frontend.appmeshworkshop.hosted.local",
                    "nodejs.appmeshworkshop.hosted.local")),
            Map.entry(Kind.VIRTUAL_ROUTER, List.of("crystal-router")),
            Map.entry(
                Kind.ROUTE,
                List.of(
                    "crystal-router/crystal-header-route", "crystal-router/crystal-random-route")));
    assertThat(
            mesh.meshes().get(0).spec().getAsJsonObject("egressFilter").get("type").getAsString())
        .isEqualTo("DROP_ALL");
    // The spec is the file's, untouched.
    Resource epoch =
        mesh.find(Kind.VIRTUAL_NODE, "appmesh-workshop", "crystal-sd-epoch").orElseThrow();
    JsonObject file =
        JsonParser.parseString(
                Files.readString(WORKSHOP.resolve("virtual-nodes/crystal-sd-epoch.json")))
            .getAsJsonObject();
    assertThat(epoch.spec()).isEqualTo(file.get("spec"));
    assertThat(epoch.source().file())
        .isEqualTo(WORKSHOP.resolve("virtual-nodes/crystal-sd-epoch.json"));
  }

  @Test
  void theWorkshopNodesListenOnPortsOfTheirOwn() {
    List<Integer> ports =
        MeshLoader.load(WORKSHOP).resources().stream()
            .filter(r -> r.kind() == Kind.VIRTUAL_NODE)
            .map(r -> r.spec().getAsJsonArray("listeners").get(0).getAsJsonObject())
            .map(l -> l.getAsJsonObject("portMapping").get("port").getAsInt())
            .toList();
    assertThat(ports).doesNotHaveDuplicates().hasSize(4);
  }

  @Test
  void loadsDescribeResponsesBesideCreateRequests(@TempDir Path dir) {
    Map<String, String> files = Definitions.base();
    // What aws appmesh describe-virtual-node prints: the resource with its output-only metadata and
    // status, which are ignored.
    files.put(
        "a.json",
        """
        {
          "virtualNode": {
            "meshName": "m",
            "virtualNodeName": "a",
            "spec": %s,
            "metadata": {
              "arn": "arn:aws:appmesh:us-west-2:111122223333:mesh/m/virtualNode/a",
              "createdAt": "2024-05-01T10:00:00.000000+00:00",
              "lastUpdatedAt": "2024-05-01T10:00:00.000000+00:00",
              "meshOwner": "111122223333",
              "resourceOwner": "111122223333",
              "uid": "00000000-1111-2222-3333-444444444444",
              "version": 3
            },
            "status": {"status": "ACTIVE"}
          }
        }"""
            .formatted(Definitions.A_SPEC));
    files.put(
        "m.json",
        """
        {"mesh": {"meshName": "m", "spec": {"egressFilter": {"type": "ALLOW_ALL"}},
                  "metadata": {"version": 1}, "status": {"status": "ACTIVE"}}}""");
    files.put(
        "rt.json",
        """
        {"route": {"meshName": "m", "virtualRouterName": "r", "routeName": "rt", "spec": %s,
                   "metadata": {}, "status": {"status": "ACTIVE"}}}"""
            .formatted(Definitions.RT_SPEC));
    Definitions.writeOnly(dir, files);
    MeshDefinition mesh = MeshLoader.load(dir);
    assertThat(mesh.resources()).hasSize(8);
    Resource a = mesh.find(Kind.VIRTUAL_NODE, "m", "a").orElseThrow();
    assertThat(a.spec()).isEqualTo(JsonParser.parseString(Definitions.A_SPEC));
    assertThat(mesh.children(Kind.ROUTE, "m", "r"))
        .extracting(Resource::name)
        .containsExactly("rt");
    assertThat(mesh.meshes().get(0).spec().toString())
        .isEqualTo("{\"egressFilter\":{\"type\":\"ALLOW_ALL\"}}");
  }

  @Test
  void aDescribeResponseIsCheckedAgainstTheDescribeShape(@TempDir Path dir) {
    // tags belong to create requests; a describe response does not have them.
    Definitions.write(
        dir,
        Map.of(
            "a.json",
            "{\"virtualNode\": {\"meshName\": \"m\", \"virtualNodeName\": \"a\", \"spec\": "
                + Definitions.A_SPEC
                + ", \"tags\": []}}"));
    assertThat(Definitions.errors(dir, dir))
        .containsExactly(
            "a.json: virtualNode a in mesh m: $.virtualNode.tags: unknown member; expected one of"
                + " meshName, metadata, spec, status, virtualNodeName");
  }

  @Test
  void loadsYamlStreamsAndNamesTheirDocuments(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("mesh.yaml"),
        """
        # the whole mesh in one stream
        meshName: m
        ---
        meshName: m
        virtualNodeName: a
        spec:
          listeners: [{portMapping: {port: 8080, protocol: http}}]
          serviceDiscovery: {dns: {hostname: a.local}}
        ---
        meshName: m
        virtualServiceName: a.local
        spec: {provider: {virtualNode: {virtualNodeName: a}}}
        ---
        """);
    MeshDefinition mesh = MeshLoader.load(dir.resolve("mesh.yaml"));
    assertThat(mesh.resources())
        .extracting(r -> r.kind() + " " + r.name() + " " + r.source())
        .containsExactly(
            "MESH m " + dir.resolve("mesh.yaml"),
            "VIRTUAL_NODE a " + dir.resolve("mesh.yaml") + " (document 2)",
            "VIRTUAL_SERVICE a.local " + dir.resolve("mesh.yaml") + " (document 3)");
    Files.writeString(
        dir.resolve("mesh.yaml"),
        Files.readString(dir.resolve("mesh.yaml")).replace("port: 8080", "port: http"));
    assertThat(Definitions.errors(dir, dir))
        .containsExactly(
            "mesh.yaml (document 2): virtualNode a in mesh m: $.spec.listeners[0].portMapping.port:"
                + " expected an integer but got \"http\"");
  }

  @Test
  void loadsAMeshUsingEverySupportedMember() throws IOException, URISyntaxException {
    Path file = Path.of(getClass().getResource("every-member.yaml").toURI());
    MeshDefinition mesh = MeshLoader.load(file);
    assertThat(mesh.resources()).hasSize(22);
    // Every supported member of the model that bin/test installs occurs in it.
    JsonObject shapes = InstalledModel.shapes();
    Set<String> used = new TreeSet<>();
    for (Resource r : mesh.resources()) {
      walk(shapes, r.kind().specShape(), r.spec(), used);
    }
    Set<String> supported =
        Support.entries().stream()
            .filter(e -> e.status() == Support.Status.SUPPORTED)
            .map(e -> e.shape() + "." + e.member())
            .collect(Collectors.toCollection(TreeSet::new));
    supported.removeAll(used);
    assertThat(supported).as("supported members every-member.yaml does not use").isEmpty();
  }

  /** Records each structure member {@code value} uses, following the model's shapes. */
  private static void walk(JsonObject shapes, String name, JsonElement value, Set<String> used) {
    JsonObject shape = shapes.getAsJsonObject(name);
    if (shape.has("members") && value.isJsonObject()) {
      for (Map.Entry<String, JsonElement> member : value.getAsJsonObject().entrySet()) {
        used.add(name + "." + member.getKey());
        JsonObject reference = shape.getAsJsonObject("members").getAsJsonObject(member.getKey());
        walk(shapes, reference.get("shape").getAsString(), member.getValue(), used);
      }
    } else if (shape.has("member") && value.isJsonArray()) {
      String element = shape.getAsJsonObject("member").get("shape").getAsString();
      value.getAsJsonArray().forEach(item -> walk(shapes, element, item, used));
    }
  }

  @Test
  void walksDirectoriesSkippingHiddenAndOtherFiles(@TempDir Path dir) throws IOException {
    Definitions.write(
        dir,
        Map.of(
            "nodes/deeper/c.yaml",
            "meshName: m\nvirtualNodeName: c\nspec: {}\n",
            "README.md",
            "not a resource",
            ".hidden.json",
            "not JSON",
            ".git/objects/x.json",
            "not JSON"));
    Files.writeString(dir.resolve("b.json.orig"), "not JSON");
    assertThat(MeshLoader.load(dir).find(Kind.VIRTUAL_NODE, "m", "c")).isPresent();
  }

  @Test
  void readsAKubernetesConfigMapVolume(@TempDir Path dir) throws IOException {
    // A ConfigMap volume: the files live in a hidden, timestamped directory that ..data links to,
    // and each key is a link through ..data.
    Path data = Files.createDirectory(dir.resolve("..2026_10_01_00_00_00.123"));
    Definitions.writeOnly(data, Definitions.base());
    Files.createSymbolicLink(dir.resolve("..data"), data.getFileName());
    for (String file : Definitions.base().keySet()) {
      Files.createSymbolicLink(dir.resolve(file), Path.of("..data", file));
    }
    MeshDefinition mesh = MeshLoader.load(dir);
    assertThat(mesh.resources()).hasSize(8);
    assertThat(mesh.find(Kind.VIRTUAL_NODE, "m", "a").orElseThrow().source().file())
        .isEqualTo(dir.resolve("a.json"));
  }

  @Test
  void aDirectoryNamedThroughALinkIsWalked(@TempDir Path dir) throws IOException {
    Path real = Definitions.write(Files.createDirectory(dir.resolve("real")), Map.of());
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    MeshDefinition mesh = MeshLoader.load(link);
    assertThat(mesh.resources()).hasSize(8);
    assertThat(mesh.meshes().get(0).source().file()).isEqualTo(link.resolve("m.json"));
  }

  @Test
  void acceptsAByteOrderMark(@TempDir Path dir) {
    Definitions.write(dir, Map.of("a.json", "\uFEFF" + node("a", Definitions.A_SPEC)));
    assertThat(MeshLoader.load(dir).resources()).hasSize(8);
  }

  @Test
  void theOrderOfResourcesDoesNotDependOnFileNames(@TempDir Path dir) {
    Path one = Definitions.write(dir.resolve("one"), Map.of());
    Map<String, String> renamed = new LinkedHashMap<>();
    Definitions.base().forEach((file, text) -> renamed.put("z-" + file, text));
    Path two = Definitions.writeOnly(dir.resolve("two"), renamed);
    assertThat(MeshLoader.load(two).resources())
        .extracting(Resource::describe)
        .containsExactlyElementsOf(
            MeshLoader.load(one).resources().stream().map(Resource::describe).toList());
  }
}
