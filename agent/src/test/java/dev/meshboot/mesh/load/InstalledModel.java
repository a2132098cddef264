package dev.meshboot.mesh.load;

import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.meshboot.mesh.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * The App Mesh API model as botocore installs it (bin/test installs the pinned botocore and exports
 * the file's path as {@code MESHBOOT_APPMESH_MODEL}), read here with Gson alone, not with the code
 * under test. Missing is a failure saying what to run, never a skip.
 */
final class InstalledModel {

  static final String VARIABLE = "MESHBOOT_APPMESH_MODEL";

  private InstalledModel() {}

  static Path path() {
    String given = System.getenv(VARIABLE);
    if (given == null || given.isBlank()) {
      fail(
          VARIABLE
              + " is not set: run bin/test, which installs botocore (the version pom.xml pins as"
              + " botocore.version) and exports the path of its App Mesh API model,"
              + " botocore/data/appmesh/2019-01-25/service-2.json.gz");
    }
    Path path = Path.of(given);
    if (!Files.isRegularFile(path)) {
      fail(VARIABLE + "=" + given + " is not a file: run bin/test, which installs botocore");
    }
    return path;
  }

  /** The model's text, uncompressed. */
  static String text(InputStream gzipped) {
    try (InputStream in = new GZIPInputStream(gzipped)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text() {
    try (InputStream in = Files.newInputStream(path())) {
      return text(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The model's shapes by name. */
  static JsonObject shapes() {
    return JsonParser.parseString(text()).getAsJsonObject().getAsJsonObject("shapes");
  }

  /**
   * Every {@code Shape.member} of every structure the seven spec shapes reach, not going through
   * members {@code stop} says not to descend into.
   */
  static Set<String> specMembers(JsonObject shapes, Predicate<String> stop) {
    Set<String> members = new LinkedHashSet<>();
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    for (Kind kind : Kind.values()) {
      todo.add(kind.specShape());
    }
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!seen.add(name)) {
        continue;
      }
      JsonObject shape = shapes.getAsJsonObject(name);
      if (shape.has("members")) {
        for (Map.Entry<String, JsonElement> member : shape.getAsJsonObject("members").entrySet()) {
          String key = name + "." + member.getKey();
          members.add(key);
          if (!stop.test(key)) {
            todo.add(member.getValue().getAsJsonObject().get("shape").getAsString());
          }
        }
      }
      for (String reference : new String[] {"member", "key", "value"}) {
        if (shape.has(reference) && shape.get(reference).isJsonObject()) {
          todo.add(shape.getAsJsonObject(reference).get("shape").getAsString());
        }
      }
    }
    return members;
  }
}
