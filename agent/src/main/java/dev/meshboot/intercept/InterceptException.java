package dev.meshboot.intercept;

import org.jspecify.annotations.Nullable;

/**
 * The interception rules could not be read or applied: iptables is missing, the process lacks
 * CAP_NET_ADMIN, or iptables refused the change (which then did not happen: it is one transaction).
 */
public final class InterceptException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InterceptException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
