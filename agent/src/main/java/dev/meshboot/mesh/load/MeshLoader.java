package dev.meshboot.mesh.load;

import com.google.gson.JsonElement;
import dev.meshboot.mesh.MeshDefinition;
import dev.meshboot.mesh.MeshException;
import dev.meshboot.mesh.Resource;
import dev.meshboot.mesh.Source;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a mesh definition: the App Mesh resources a directory (or one file) of JSON and YAML
 * documents defines, each checked against the App Mesh API model, then all of them together
 * (references, routes against listeners, duplicates). A definition with any error is refused whole,
 * with every error.
 */
public final class MeshLoader {

  private MeshLoader() {}

  /**
   * The definition in {@code dirOrFile}.
   *
   * @throws MeshException listing every error, each naming the file, the resource and the JSON path
   */
  public static MeshDefinition load(Path dirOrFile) {
    return load(dirOrFile, ApiModel.bundled());
  }

  static MeshDefinition load(Path dirOrFile, ApiModel model) {
    Problems problems = new Problems();
    List<String> unreadable = new ArrayList<>();
    List<DefinitionFiles.Text> texts = DefinitionFiles.read(dirOrFile, unreadable);
    unreadable.forEach(problems::general);
    boolean incomplete = !unreadable.isEmpty();
    Requests requests = new Requests(model, problems);
    List<Found> found = new ArrayList<>();
    for (DefinitionFiles.Text text : texts) {
      List<JsonElement> documents;
      try {
        documents = Documents.parse(text.file(), text.text());
      } catch (Documents.Unreadable e) {
        problems.general(String.valueOf(e.getMessage()));
        incomplete = true;
        continue;
      }
      for (int i = 0; i < documents.size(); i++) {
        if (!documents.get(i).isJsonNull()) { // an empty YAML document, such as after a last ---
          requests.identify(documents.get(i), new Source(text.file(), i + 1)).ifPresent(found::add);
        }
      }
    }
    if (!problems.any() && found.isEmpty()) {
      problems.general(
          DefinitionFiles.SUBJECT + ": " + dirOrFile + " defines no App Mesh resource");
    }
    Index index = new Index(found);
    new References(index, problems, incomplete).check(found);
    new Routing(index, problems).check(found);
    if (problems.any()) {
      throw new MeshException(problems.all());
    }
    List<Resource> resources = new ArrayList<>();
    found.forEach(f -> f.resource().ifPresent(resources::add));
    return new MeshDefinition(resources);
  }
}
