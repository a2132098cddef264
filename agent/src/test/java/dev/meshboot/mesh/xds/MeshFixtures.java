package dev.meshboot.mesh.xds;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.meshboot.mesh.Kind;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.Resource;
import dev.meshboot.mesh.Source;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Test definitions: create-request JSON files ({@code aws appmesh create-* --cli-input-json}), the
 * kind told by the name member, read without the loader (which another part of meshboot owns) and
 * without its checks. {@code @NAME@} placeholders are replaced first, for what a test decides at
 * run time (ports, certificate paths).
 */
public final class MeshFixtures {

  /** The fixture meshes in the test resources: one directory of JSON files per mesh. */
  public static final Path ROOT = Path.of("src/test/resources/mesh-xds");

  private MeshFixtures() {}

  /** The fixture meshes' names. */
  public static List<String> meshes(Path root) {
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every {@code *.json} file under {@code dir/definition}, placeholders replaced. */
  public static MeshDefinition load(Path dir, Map<String, String> placeholders) {
    List<Resource> resources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir.resolve("definition"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        String text = Files.readString(file);
        for (Map.Entry<String, String> placeholder : placeholders.entrySet()) {
          text = text.replace("@" + placeholder.getKey() + "@", placeholder.getValue());
        }
        resources.add(resource(JsonParser.parseString(text).getAsJsonObject(), file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new MeshDefinition(resources);
  }

  /** A definition of inline create requests. */
  public static MeshDefinition of(String... requests) {
    List<Resource> resources = new ArrayList<>();
    for (String request : requests) {
      resources.add(resource(JsonParser.parseString(request).getAsJsonObject(), Path.of("inline")));
    }
    return new MeshDefinition(resources);
  }

  /** One create request as a resource: the most specific name member present tells the kind. */
  static Resource resource(JsonObject request, Path file) {
    List<Kind> byPrecedence =
        List.of(
            Kind.ROUTE,
            Kind.GATEWAY_ROUTE,
            Kind.VIRTUAL_NODE,
            Kind.VIRTUAL_SERVICE,
            Kind.VIRTUAL_ROUTER,
            Kind.VIRTUAL_GATEWAY,
            Kind.MESH);
    for (Kind kind : byPrecedence) {
      if (request.has(kind.nameMember())) {
        Optional<String> parent =
            kind.parentMember().map(member -> request.get(member).getAsString());
        JsonObject spec = request.has("spec") ? request.getAsJsonObject("spec") : new JsonObject();
        return new Resource(
            kind,
            request.get("meshName").getAsString(),
            parent,
            request.get(kind.nameMember()).getAsString(),
            spec,
            new Source(file, 1));
      }
    }
    throw new IllegalArgumentException(file + ": no name member");
  }
}
