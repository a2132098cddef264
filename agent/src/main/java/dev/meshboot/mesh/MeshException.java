package dev.meshboot.mesh;

import java.util.List;

/**
 * A mesh definition that cannot be served: every error found, each naming the file, the resource
 * and the JSON path. A definition with any error is refused as a whole.
 */
public final class MeshException extends RuntimeException {

  private final List<String> errors;

  public MeshException(List<String> errors) {
    super(
        errors.size() == 1
            ? errors.get(0)
            : errors.size() + " errors:\n" + String.join("\n", errors));
    this.errors = List.copyOf(errors);
  }

  public List<String> errors() {
    return errors;
  }
}
