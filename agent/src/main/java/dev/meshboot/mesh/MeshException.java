package dev.meshboot.mesh;

import java.util.List;

/**
 * A mesh definition that cannot be served: every error found, each naming the file, the resource
 * and the JSON path. A definition with any error is refused as a whole.
 */
public final class MeshException extends RuntimeException {

  private final List<String> errors;

  /** Errors a message shows; {@link #errors()} has every one. */
  private static final int SHOWN = 10;

  public MeshException(List<String> errors) {
    super(
        errors.size() == 1
            ? errors.get(0)
            : errors.size()
                + " errors:\n"
                + String.join("\n", errors.subList(0, Math.min(SHOWN, errors.size())))
                + (errors.size() > SHOWN ? "\n... and " + (errors.size() - SHOWN) + " more" : ""));
    this.errors = List.copyOf(errors);
  }

  public List<String> errors() {
    return errors;
  }
}
