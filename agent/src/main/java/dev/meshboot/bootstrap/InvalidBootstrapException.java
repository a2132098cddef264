package dev.meshboot.bootstrap;

/**
 * A bootstrap, or a fragment of one, that breaks the Envoy API: an unknown field, a wrong type, a
 * validation rule. The message names the file or variable and the field path.
 */
public final class InvalidBootstrapException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidBootstrapException(String message) {
    super(message);
  }

  public InvalidBootstrapException(String message, Throwable cause) {
    super(message, cause);
  }
}
